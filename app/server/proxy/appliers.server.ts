// Which ProxyApplier drives an agent's nginx. Community: one LocalNginx per process (NGINX_BIN,
// NGINX_CONF_DIR), shared by every copy of this module through globalThis. Container mode and
// remote agents implement the same interface (agent/nginx/types.ts) and plug in here.
import { LocalNginx } from "#agent/nginx/local-nginx";
import type { ProxyApplier } from "#agent/nginx/types";
import { env } from "../env.server";
import { ServiceUnavailableError } from "../errors.server";
import { singleton } from "../singleton.server";

export function localNginx(): LocalNginx {
  const e = env();
  const logRotation = { maxBytes: e.NGINX_LOG_MAX_MB * 1024 * 1024, keep: e.NGINX_LOG_KEEP };
  return singleton(`nginx:local:${e.NGINX_CONF_DIR}`, () => new LocalNginx({ bin: e.NGINX_BIN, confDir: e.NGINX_CONF_DIR, logRotation }));
}

export function applierFor(_agentId: string): ProxyApplier {
  const mode = env().NGINX_MODE;
  if (mode === "off") throw new ServiceUnavailableError("nginx management is off (NGINX_MODE=off).", "nginx_off");
  if (mode === "container") throw new ServiceUnavailableError("NGINX_MODE=container is not available yet; use local.", "nginx_unavailable");
  return localNginx();
}
