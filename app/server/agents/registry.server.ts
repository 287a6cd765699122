// The one resolver: everything host-side of an agent id (containers, nginx applier, proxy log
// source, probes, facts) comes from here as an AgentHost (agent/host.ts), whatever the transport.
// Community has one built-in agent per organization, backed by the process's own engine and nginx
// (local-host.server.ts); its `Agent` row is created the first time someone needs it. Remote
// agents (SaaS) get their transport later: until then an agent row of kind "remote" answers 503
// instead of pretending. See docs/decisions/054-agent-seam.md.
import type { AgentHost } from "#agent/host";
import type { AgentInfo } from "#agent/types";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import { NotFoundError, ServiceUnavailableError } from "../errors.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";
import { unreachableAgentInfo } from "#agent/info";
import { localAgent, localHost } from "./local-host.server";

export const LOCAL_AGENT_NAME = "local";

export interface AgentDto {
  id: string;
  name: string;
  kind: "local" | "remote";
  status: "online" | "offline";
  lastSeenAt: string | null;
  dockerVersion: string | null;
  nginxVersion: string | null;
}

type AgentRow = { id: string; name: string; kind: string; status: string; lastSeenAt: Date | null; dockerVersion: string | null; nginxVersion: string | null };
const SELECT = { id: true, name: true, kind: true, status: true, lastSeenAt: true, dockerVersion: true, nginxVersion: true } as const;

function toDto(row: AgentRow): AgentDto {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind === "remote" ? "remote" : "local",
    status: row.status === "online" ? "online" : "offline",
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
    dockerVersion: row.dockerVersion,
    nginxVersion: row.nginxVersion,
  };
}

// The id of each organization's built-in agent row, so hot paths (stats, actions) skip the upsert.
const knownLocal = singleton("agents:local-ids", () => new Map<string, string>());

/** The organization's built-in agent row, created on first use. */
export async function ensureLocalAgent(actor: Pick<Actor, "orgId">): Promise<AgentDto> {
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

export type ResolvedAgent = AgentHost & { id: string; row: AgentDto };

/**
 * Everything host-side of one of the organization's agents; 404 for anything not the
 * organization's, 503 for an agent whose transport is not available. Jobs without an actor
 * (apply, issuance, log shipping) pass `{ orgId }`.
 */
export async function hostFor(scope: Pick<Actor, "orgId">, agentId: string): Promise<ResolvedAgent> {
  if (!/^[0-9a-f-]{36}$/i.test(agentId)) throw new NotFoundError("No such agent.");
  const row = await withOrg(scope.orgId, (tx) => tx.agent.findFirst({ where: { id: agentId, orgId: scope.orgId }, select: SELECT }));
  if (!row) throw new NotFoundError("No such agent.");
  if (row.kind !== "local") throw new ServiceUnavailableError("Remote agents are not available yet.", "agent_unavailable");
  return { ...localHost(), id: row.id, row: toDto(row) };
}

/** The implementation behind one of the actor's agents (hostFor with the actor's organization). */
export function agentFor(actor: Actor, agentId: string): Promise<ResolvedAgent> {
  return hostFor(actor, agentId);
}

/**
 * The built-in agent for process-wide jobs that follow it for every organization (the alert
 * engine's events and stats, /metrics). Remote agents bring their own per-agent feeds.
 */
export function builtInHost(): AgentHost {
  return localHost();
}

/**
 * From boot on, the built-in agent samples all the time and keeps its usage history (decision 105),
 * so charts open full. Only the server process starts it (jobs.server.ts), not code that merely
 * imports the agent. A remote agent's node keeps its own.
 */
export function recordBuiltInStatsHistory(): void {
  localAgent().keepStatsHistory();
}

/** Asks the engine how it is and records it on the row (status, versions, last seen). */
export async function refreshAgent(actor: Pick<Actor, "orgId">, agentId: string, host: Pick<AgentHost, "agent" | "facts">): Promise<AgentInfo> {
  const info = await Promise.race([
    host.agent.info(),
    new Promise<AgentInfo>((resolve) => setTimeout(() => resolve(unanswered(host)), 3_000).unref()),
  ]);
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
  const local = await ensureLocalAgent(actor);
  await refreshAgent(actor, local.id, await hostFor(actor, local.id)).catch((error) => logger.warn("agent status refresh failed", { error }));
  const rows = await withOrg(actor.orgId, (tx) => tx.agent.findMany({ where: { orgId: actor.orgId }, select: SELECT, orderBy: { name: "asc" } }));
  return { items: rows.map(toDto), nextCursor: null };
}
