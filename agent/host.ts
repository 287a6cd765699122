// Everything host-side of one agent, as the control plane's domain code sees it. The registry
// (app/server/agents/registry.server.ts) resolves an agent id to an AgentHost; the built-in agent
// composes it from in-process parts (LocalAgent, LocalNginx or ContainerNginx, PrefixLogSource,
// LocalProbes), a RemoteAgent from RPC proxies of the same interfaces. Domain code never learns
// which: it does not read the control plane's environment or disk for a host fact, and never
// probes a host address from the control plane.
import type { ProxyLogSource } from "./nginx/log-source";
import type { ProxyApplier } from "./nginx/types";
import type { AgentProbes } from "./probes";
import type { Agent } from "./types";

/** How proxied sites are rendered for this agent's nginx (RenderSettings without the per-row parts). */
export interface NginxRenderFacts {
  /** `local`: nginx runs beside the agent; `container`: in a container on its engine; `off`: not managed. */
  mode: "local" | "container" | "off";
  listenAddress: string;
  httpPort: number;
  httpsPort: number;
  /** DNS resolver nginx uses for upstream names at request time (Docker's embedded DNS in container mode). */
  resolver: string;
  /** `user` directive of nginx's workers (root when the agent runs as root), null to leave nginx's default. */
  user: string | null;
}

/** Facts an agent reports about itself (the built-in agent: from the process's environment). */
export interface AgentFacts {
  /** Where the agent reaches its Docker engine, for display (`unix:///var/run/docker.sock`). */
  dockerHost: string;
  nginx: NginxRenderFacts;
}

export interface AgentHost {
  /** Containers, stats, logs, events, exec. */
  agent: Agent;
  /** The nginx this agent drives; null when nginx management is off on it. */
  proxies: ProxyApplier | null;
  /** Its nginx's per-host access and error logs; null when the control plane cannot follow them. */
  proxyLogs: ProxyLogSource | null;
  /** Network checks run from the agent (upstream reachability, the ACME pre-flight). */
  probes: AgentProbes;
  facts(): Promise<AgentFacts>;
}
