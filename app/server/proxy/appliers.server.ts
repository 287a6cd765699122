// Which ProxyApplier drives an agent's nginx. Community: one applier per process, shared by every
// copy of this module through globalThis: LocalNginx (NGINX_MODE=local: NGINX_BIN, NGINX_CONF_DIR)
// or ContainerNginx (NGINX_MODE=container: NGINX_CONTAINER with NGINX_CONF_DIR mounted at the same
// path, driven through the local agent's Docker engine). Remote agents implement the same
// interface (agent/nginx/types.ts) and plug in here.
import { ContainerNginx } from "#agent/nginx/container-nginx";
import { LocalNginx } from "#agent/nginx/local-nginx";
import type { ProxyApplier } from "#agent/nginx/types";
import { localAgent } from "../agents/registry.server";
import { env } from "../env.server";
import { ServiceUnavailableError } from "../errors.server";
import { singleton } from "../singleton.server";

export function localNginx(): LocalNginx {
  const e = env();
  const logRotation = { maxBytes: e.NGINX_LOG_MAX_MB * 1024 * 1024, keep: e.NGINX_LOG_KEEP };
  return singleton(`nginx:local:${e.NGINX_CONF_DIR}`, () => new LocalNginx({ bin: e.NGINX_BIN, confDir: e.NGINX_CONF_DIR, logRotation }));
}

export function containerNginx(): ContainerNginx {
  const e = env();
  return singleton(
    `nginx:container:${e.NGINX_CONTAINER ?? ""}:${e.NGINX_CONF_DIR}`,
    () => new ContainerNginx({ container: e.NGINX_CONTAINER, confDir: e.NGINX_CONF_DIR, runtime: localAgent() }),
  );
}

/** The applier of the configured mode (local or container); null when nginx management is off. */
export function configuredNginx(): LocalNginx | null {
  const mode = env().NGINX_MODE;
  return mode === "container" ? containerNginx() : mode === "local" ? localNginx() : null;
}

export function applierFor(_agentId: string): ProxyApplier {
  const nginx = configuredNginx();
  if (!nginx) throw new ServiceUnavailableError("nginx management is off (NGINX_MODE=off).", "nginx_off");
  return nginx;
}
