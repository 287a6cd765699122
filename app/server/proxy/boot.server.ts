// nginx at startup (NGINX_MODE=local or container): start it on the last good tree without holding
// up the server. When it cannot start (binary missing, port taken, nginx container missing, not
// mounted or not startable), the reason is logged once and kept here for the Proxies page, which
// says why hosts are not being served. Starting is the built-in agent's (this process's nginx);
// the page's question "why are hosts not served?" is asked of whichever agent it shows.
import type { NginxRenderFacts } from "#agent/host";
import type { Actor } from "../auth/require.server";
import { agentOfflineMessage, hasBuiltInAgent, hostFor, type ResolvedAgent } from "../agents/registry.server";
import { env } from "../env.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";
import { containerNginx, localNginx } from "../agents/local-host.server";

interface BootState {
  problem: string | null;
}
const state = singleton("nginx:boot", (): BootState => ({ problem: null }));

export function startNginxAtBoot(): void {
  const mode = env().NGINX_MODE;
  // SaaS: the control plane's nginx belongs to no organization (decision 091); it is never started.
  if (mode === "off" || !hasBuiltInAgent()) return;
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
    // nginx missing: LocalNginx says how to install it.
    state.problem = await nginx.problem();
    if (state.problem) return logger.warn(state.problem);
    const started = await nginx.ensureRunning();
    state.problem = started.ok ? null : `nginx did not start: ${started.output}`;
    if (state.problem) logger.warn(state.problem);
  })().catch((error) => {
    state.problem = `nginx did not start: ${error instanceof Error ? error.message : String(error)}`;
    logger.warn(state.problem);
  });
}

/** For the Proxies page: how the agent's nginx is driven, and why hosts are not served (null when they are). */
export async function nginxState(scope: Pick<Actor, "orgId">, agentId: string): Promise<{ mode: NginxRenderFacts["mode"]; problem: string | null }> {
  let host: ResolvedAgent;
  try {
    host = await hostFor(scope, agentId);
  } catch (error) {
    // An offline agent's nginx cannot be asked: the page says so at once (its hosts stay listed).
    const offline = agentOfflineMessage(error);
    if (offline) return { mode: "local", problem: `${offline} Its proxy hosts are listed as stored here; changes reach its nginx once it is back and applied.` };
    throw error;
  }
  const { mode } = (await host.facts()).nginx;
  const nginx = host.proxies;
  if (mode === "off" || !nginx) return { mode, problem: "nginx management is off (NGINX_MODE=off): hosts are stored but not served." };
  const problem = await nginx.problem();
  if (problem) return { mode, problem };
  const status = await nginx.status();
  if (status.running) return { mode, problem: null };
  if (!status.generation) return { mode, problem: null }; // nothing applied yet: the first save starts it
  const notRunning = mode === "container" ? "nginx is not running in its container; save a host or use Re-apply all to start it." : "nginx is not running; save a host or use Re-apply all to start it.";
  return { mode, problem: state.problem ?? notRunning };
}

export async function nginxProblem(scope: Pick<Actor, "orgId">, agentId: string): Promise<string | null> {
  return (await nginxState(scope, agentId)).problem;
}
