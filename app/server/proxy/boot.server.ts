// nginx at startup (NGINX_MODE=local): start it on the last good tree without holding up the
// server. When it cannot start (binary missing, port taken), the reason is logged once and kept
// here for the Proxies page, which says why hosts are not being served.
import { env } from "../env.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";
import { localNginx } from "./appliers.server";

interface BootState {
  problem: string | null;
}
const state = singleton("nginx:boot", (): BootState => ({ problem: null }));

export function startNginxAtBoot(): void {
  if (env().NGINX_MODE !== "local") return;
  const nginx = localNginx();
  void (async () => {
    const status = await nginx.status();
    if (!status.version) {
      state.problem = `nginx was not found (NGINX_BIN=${env().NGINX_BIN}). Install it (apt-get install nginx-light) or set NGINX_BIN; proxy hosts are not served until then.`;
      return logger.warn(state.problem);
    }
    const started = await nginx.ensureRunning();
    state.problem = started.ok ? null : `nginx did not start: ${started.output}`;
    if (state.problem) logger.warn(state.problem);
  })().catch((error) => {
    state.problem = `nginx did not start: ${error instanceof Error ? error.message : String(error)}`;
    logger.warn(state.problem);
  });
}

/** For the Proxies page: null when nginx is fine (or not managed here). */
export async function nginxProblem(): Promise<string | null> {
  const e = env();
  if (e.NGINX_MODE === "off") return "nginx management is off (NGINX_MODE=off): hosts are stored but not served.";
  if (e.NGINX_MODE !== "local") return null;
  const status = await localNginx().status();
  if (!status.version) return `nginx was not found (NGINX_BIN=${e.NGINX_BIN}). Install it (apt-get install nginx-light) or set NGINX_BIN; proxy hosts are not served until then.`;
  if (status.running) return null;
  if (!status.generation) return null; // nothing applied yet: the first save starts it
  return state.problem ?? "nginx is not running; save a host or use Re-apply all to start it.";
}
