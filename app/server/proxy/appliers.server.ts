// Which ProxyApplier drives an agent's nginx: the one its AgentHost carries (the registry resolves
// the id; the built-in agent's nginx is LocalNginx or ContainerNginx by NGINX_MODE, see
// agents/local-host.server.ts; a RemoteAgent's is an RPC proxy of the same interface).
import type { AgentHost } from "#agent/host";
import type { ProxyApplier } from "#agent/nginx/types";
import type { Actor } from "../auth/require.server";
import { hostFor } from "../agents/registry.server";
import { ServiceUnavailableError } from "../errors.server";

/** The applier of one of the organization's agents; 503 `nginx_off` when that agent manages no nginx. */
export async function applierFor(scope: Pick<Actor, "orgId">, agentId: string): Promise<ProxyApplier> {
  return applierOf(await hostFor(scope, agentId));
}

/** The applier of a resolved agent; 503 `nginx_off` when it manages no nginx. */
export function applierOf(host: Pick<AgentHost, "proxies">): ProxyApplier {
  if (!host.proxies) throw new ServiceUnavailableError("nginx management is off (NGINX_MODE=off).", "nginx_off");
  return host.proxies;
}
