// nginx at startup (NGINX_MODE=local or container): start it on the last good tree without holding
// up the server. When it cannot start (binary missing, port taken, nginx container missing, not
// mounted or not startable), the reason is logged once and kept here for the Proxies page, which
// says why hosts are not being served.
import { env } from "../env.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";
import { containerNginx, localNginx } from "./appliers.server";

interface BootState {
  problem: string | null;
}
const state = singleton("nginx:boot", (): BootState => ({ problem: null }));

function missingBinary(): string {
  return `nginx was not found (NGINX_BIN=${env().NGINX_BIN}). Install it (apt-get install nginx-light) or set NGINX_BIN; proxy hosts are not served until then.`;
}

export function startNginxAtBoot(): void {
  const mode = env().NGINX_MODE;
  if (mode === "off") return;
  void (async () => {
    if (mode === "container") {
      const nginx = containerNginx();
      // Validates NGINX_CONTAINER, starts a stopped container and proves the same-path mount.
      state.problem = await nginx.problem(true);
      if (state.problem) return logger.warn(`nginx container: ${state.problem}`);
      const started = await nginx.ensureRunning();
      state.problem = started.ok ? null : `nginx did not start in its container: ${started.output}`;
      if (state.problem) logger.warn(state.problem);
      return;
    }
    const nginx = localNginx();
    const status = await nginx.status();
    if (!status.version) {
      state.problem = missingBinary();
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
  if (e.NGINX_MODE === "container") {
    const nginx = containerNginx();
    const problem = await nginx.problem();
    if (problem) return problem;
    const status = await nginx.status();
    if (status.running || !status.generation) return null;
    return state.problem ?? "nginx is not running in its container; save a host or use Re-apply all to start it.";
  }
  const status = await localNginx().status();
  if (!status.version) return missingBinary();
  if (status.running) return null;
  if (!status.generation) return null; // nothing applied yet: the first save starts it
  return state.problem ?? "nginx is not running; save a host or use Re-apply all to start it.";
}
