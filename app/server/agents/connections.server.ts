// The remote agents whose sockets this process holds, by agent id. The `/agent` namespace
// (agent-socket.server.ts, loaded by server.ts) fills it; the registry (loaded by the Remix
// build) reads it, so it lives on globalThis like every process-wide resource. One replica only:
// reaching an agent held by another replica (Redis adapter) is not built yet.
import type { AgentFacts } from "#agent/host";
import type { RemoteAgent } from "#agent/remote/remote-agent";
import { singleton } from "../singleton.server";

export interface LiveAgentConnection {
  agentId: string;
  orgId: string;
  name: string;
  remote: RemoteAgent;
  facts: AgentFacts;
  connectedAt: Date;
  /** Tells the agent why (it stops retrying) and closes the socket at once. */
  revoke(reason: string): void;
}

export function liveAgents(): Map<string, LiveAgentConnection> {
  return singleton("agents:remote-connections", () => new Map<string, LiveAgentConnection>());
}

/** Closes the socket of a deleted or revoked agent, if this process holds it. */
export function revokeLiveAgent(agentId: string, reason: string): void {
  liveAgents().get(agentId)?.revoke(reason);
}
