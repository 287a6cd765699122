// The remote agents whose sockets this process holds, by agent id. The `/agent` namespace
// (agent-socket.server.ts, loaded by server.ts) fills it; the registry (loaded by the Remix
// build) reads it, so it lives on globalThis like every process-wide resource. One replica only:
// reaching an agent held by another replica (Redis adapter) is not built yet.
import type { AgentFacts } from "#agent/host";
import { RemoteAgent } from "#agent/remote/remote-agent";
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
  /** Drops this connection without a word (a newer one of the same agent took over). */
  close(): void;
  /** Tells the agent its organization was suspended (true) or unsuspended (false), decision 125. */
  setPaused(paused: boolean): void;
}

export function liveAgents(): Map<string, LiveAgentConnection> {
  return singleton("agents:remote-connections", () => new Map<string, LiveAgentConnection>());
}

/**
 * The one RemoteAgent of an agent id, kept across its connections so that a live feed holding it
 * carries on after the node reconnects.
 */
export function remoteAgentFor(agentId: string, label: string, onDrop: (reason: string) => void): RemoteAgent {
  const remotes = singleton("agents:remote-agents", () => new Map<string, RemoteAgent>());
  let remote = remotes.get(agentId);
  if (!remote) remotes.set(agentId, (remote = new RemoteAgent(label, onDrop)));
  return remote;
}

/** Closes the socket of a deleted or revoked agent, if this process holds it. */
export function revokeLiveAgent(agentId: string, reason: string): void {
  liveAgents().get(agentId)?.revoke(reason);
}

/** Pauses or resumes every agent of the organization this process holds; how many it told. */
export function setOrgAgentsPaused(orgId: string, paused: boolean): number {
  let told = 0;
  for (const connection of liveAgents().values()) {
    if (connection.orgId !== orgId) continue;
    connection.setPaused(paused);
    told++;
  }
  return told;
}
