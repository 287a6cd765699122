// The one resolver: everything host-side of an agent id (containers, nginx applier, proxy log
// source, probes, facts) comes from here as an AgentHost (agent/host.ts), whatever the transport.
// Community has one built-in agent per organization, backed by the process's own engine and nginx
// (local-host.server.ts); its `Agent` row is created the first time someone needs it. A remote
// agent (SaaS) is served by the RemoteAgent of its live socket (connections.server.ts), and
// answers 503 `agent_offline` at once when it has none. See docs/decisions/054-agent-seam.md
// and 080-remote-agent-protocol.md.
// SaaS has no built-in agent (docs/decisions/091): no organization of the hosted service may ever
// reach the control plane's own Docker engine or nginx, so every built-in path below refuses there.
import type { AgentHost } from "#agent/host";
import type { AgentInfo } from "#agent/types";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import { edition } from "../edition.server";
import { NotFoundError, ServiceUnavailableError } from "../errors.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";
import { unreachableAgentInfo } from "#agent/info";
import { hasFeature } from "~/features";
import { liveAgents } from "./connections.server";
import { localAgent, localHost } from "./local-host.server";
import { withTimeout } from "../with-timeout";

export const LOCAL_AGENT_NAME = "local";

export interface AgentDto {
  id: string;
  name: string;
  kind: "local" | "remote";
  status: "online" | "offline";
  lastSeenAt: string | null;
  dockerVersion: string | null;
  nginxVersion: string | null;
  /** The standalone agent's version (remote agents), null for the built-in one. */
  version: string | null;
  hostname: string | null;
  /** Round trip of the last heartbeat (remote agents). */
  latencyMs: number | null;
}

type AgentRow = {
  id: string;
  name: string;
  kind: string;
  status: string;
  lastSeenAt: Date | null;
  dockerVersion: string | null;
  nginxVersion: string | null;
  version: string | null;
  hostname: string | null;
  latencyMs: number | null;
};
export const AGENT_SELECT = { id: true, name: true, kind: true, status: true, lastSeenAt: true, dockerVersion: true, nginxVersion: true, version: true, hostname: true, latencyMs: true } as const;
const SELECT = AGENT_SELECT;

export function toAgentDto(row: AgentRow): AgentDto {
  const remote = row.kind === "remote";
  return {
    id: row.id,
    name: row.name,
    kind: remote ? "remote" : "local",
    // A remote agent is online while this control plane holds its socket (the row follows).
    status: (remote ? liveAgents().has(row.id) : row.status === "online") ? "online" : "offline",
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
    dockerVersion: row.dockerVersion,
    nginxVersion: row.nginxVersion,
    version: row.version,
    hostname: row.hostname,
    latencyMs: row.latencyMs,
  };
}
const toDto = toAgentDto;

/** Whether this edition has a built-in agent (the process's own engine and nginx): Community only. */
export function hasBuiltInAgent(): boolean {
  return edition() === "community";
}

/** SaaS: the organization has no agent the page or verb could fall back to. */
export class NoAgentError extends ServiceUnavailableError {
  constructor() {
    super("This organization has no agent yet. Connect a Docker host by enrolling an agent on it.", "no_agent");
  }
}

// The id of each organization's built-in agent row, so hot paths (stats, actions) skip the upsert.
const knownLocal = singleton("agents:local-ids", () => new Map<string, string>());

/** The organization's built-in agent row, created on first use. */
export async function ensureLocalAgent(actor: Pick<Actor, "orgId">): Promise<AgentDto> {
  if (!hasBuiltInAgent()) throw new NoAgentError();
  const row = await withOrg(actor.orgId, (tx) =>
    tx.agent.upsert({
      where: { orgId_name: { orgId: actor.orgId, name: LOCAL_AGENT_NAME } },
      create: { orgId: actor.orgId, name: LOCAL_AGENT_NAME, kind: "local" },
      update: {},
      select: SELECT,
    }),
  );
  knownLocal.set(actor.orgId, row.id);
  return toDto(row);
}

export async function localAgentId(actor: Pick<Actor, "orgId">): Promise<string> {
  return knownLocal.get(actor.orgId) ?? (await ensureLocalAgent(actor)).id;
}

/** The agent a page preselects: the built-in one in Community, none (null) in SaaS. */
export async function defaultAgentId(actor: Pick<Actor, "orgId">): Promise<string | null> {
  return hasBuiltInAgent() ? localAgentId(actor) : null;
}

/**
 * The organization's agents a page may show, built-in first (created on first use in Community),
 * then by name; no heartbeat or engine call, so every page can afford it. SaaS lists remote
 * agents only, as listAgents does.
 */
export async function organizationAgents(actor: Pick<Actor, "orgId">): Promise<AgentDto[]> {
  if (hasBuiltInAgent()) await localAgentId(actor);
  const kind = hasBuiltInAgent() ? undefined : { not: "local" };
  const rows = await withOrg(actor.orgId, (tx) => tx.agent.findMany({ where: { orgId: actor.orgId, revokedAt: null, kind }, select: SELECT, orderBy: { name: "asc" } }));
  return rows.map(toDto).sort((a, b) => Number(b.kind === "local") - Number(a.kind === "local"));
}

export type ResolvedAgent = AgentHost & { id: string; row: AgentDto };

/**
 * Everything host-side of one of the organization's agents; 404 for anything not the
 * organization's, 503 for an agent whose transport is not available. Jobs without an actor
 * (apply, issuance, log shipping) pass `{ orgId }`.
 */
export async function hostFor(scope: Pick<Actor, "orgId">, agentId: string): Promise<ResolvedAgent> {
  if (!/^[0-9a-f-]{36}$/i.test(agentId)) throw new NotFoundError("No such agent.");
  const row = await withOrg(scope.orgId, (tx) => tx.agent.findFirst({ where: { id: agentId, orgId: scope.orgId, revokedAt: null }, select: SELECT }));
  if (!row) throw new NotFoundError("No such agent.");
  // A "local" row in SaaS (left over, or written by hand) still never reaches this process's engine.
  if (row.kind === "local" && !hasBuiltInAgent()) throw new NotFoundError("No such agent.");
  if (row.kind === "local") return { ...localHost(), id: row.id, row: toDto(row) };
  if (row.kind !== "remote" || !hasFeature(edition(), "remoteAgents")) throw new ServiceUnavailableError("Remote agents are not available in this edition.", "agent_unavailable");
  const live = liveAgents().get(row.id);
  if (!live || live.orgId !== scope.orgId) throw new ServiceUnavailableError(`The agent ${row.name} is offline.`, "agent_offline");
  return {
    agent: live.remote,
    // The node's own nginx, when it manages one; its logs are not carried over the wire yet.
    proxies: live.facts.nginx.mode === "off" ? null : live.remote.proxies,
    proxyLogs: null,
    probes: live.remote,
    facts: async () => live.facts,
    id: row.id,
    row: toDto(row),
  };
}

/** An agent whose transport is down (a remote agent without its socket): pages say so instead of failing. */
export function agentOfflineMessage(error: unknown): string | null {
  return error instanceof ServiceUnavailableError && (error.code === "agent_offline" || error.code === "agent_unavailable") ? error.message : null;
}

/** The implementation behind one of the actor's agents (hostFor with the actor's organization). */
export function agentFor(actor: Actor, agentId: string): Promise<ResolvedAgent> {
  return hostFor(actor, agentId);
}

/**
 * The built-in agent for process-wide jobs that follow it for every organization (the alert
 * engine's events and stats, /metrics). Remote agents bring their own per-agent feeds.
 */
export function builtInHost(): AgentHost | null {
  return hasBuiltInAgent() ? localHost() : null;
}

/**
 * From boot on, the built-in agent samples all the time and keeps its usage history (decision 105),
 * so charts open full. Only the server process starts it (jobs.server.ts), not code that merely
 * imports the agent. A remote agent's node keeps its own.
 */
export function recordBuiltInStatsHistory(): void {
  if (hasBuiltInAgent()) localAgent().keepStatsHistory();
}

/** Asks the engine how it is and records it on the row (status, versions, last seen). */
export async function refreshAgent(actor: Pick<Actor, "orgId">, agentId: string, host: Pick<AgentHost, "agent" | "facts">): Promise<AgentInfo> {
  const info = await withTimeout(host.agent.info(), 3_000, () => unanswered(host));
  await withOrg(actor.orgId, (tx) =>
    tx.agent.update({
      where: { id: agentId },
      data: info.reachable
        ? { status: "online", lastSeenAt: new Date(), dockerVersion: info.dockerVersion, nginxVersion: info.nginxVersion }
        : { status: "offline" },
    }),
  );
  return info;
}

async function unanswered(host: Pick<AgentHost, "facts">): Promise<AgentInfo> {
  const dockerHost = (await host.facts()).dockerHost;
  return unreachableAgentInfo(dockerHost, `Docker engine not reachable at ${dockerHost}: no answer within 3 s`);
}

export async function listAgents(actor: Actor): Promise<{ items: AgentDto[]; nextCursor: null }> {
  assertPermission(actor, "read:container");
  if (hasBuiltInAgent()) {
    const local = await ensureLocalAgent(actor);
    await refreshAgent(actor, local.id, await hostFor(actor, local.id)).catch((error) => logger.warn("agent status refresh failed", { error }));
  }
  // SaaS lists remote agents only: a "local" row there is no agent of the organization.
  const kind = hasBuiltInAgent() ? undefined : { not: "local" };
  const rows = await withOrg(actor.orgId, (tx) => tx.agent.findMany({ where: { orgId: actor.orgId, revokedAt: null, kind }, select: SELECT, orderBy: { name: "asc" } }));
  return { items: rows.map(toDto), nextCursor: null };
}
