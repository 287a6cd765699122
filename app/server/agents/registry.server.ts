// Which Agent implementation serves an agent id. Community has one built-in agent per
// organization, backed by one LocalAgent per process (DOCKER_HOST); its `Agent` row is created
// the first time someone needs it. Remote agents (SaaS) get their transport later: until then an
// agent row of kind "remote" answers 503 instead of pretending.
import { LocalAgent } from "#agent/local/local-agent";
import type { Agent, AgentInfo } from "#agent/types";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import { env } from "../env.server";
import { NotFoundError, ServiceUnavailableError } from "../errors.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";
import { unreachableAgentInfo } from "#agent/info";

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

/** The process-wide LocalAgent (shared by the Remix build and server.ts through globalThis). */
export function localAgent(): LocalAgent {
  const config = env();
  return singleton(`agent:local:${config.DOCKER_HOST}`, () => {
    const agent = new LocalAgent({
      dockerHost: config.DOCKER_HOST,
      nginxBin: config.NGINX_MODE === "local" ? config.NGINX_BIN : null,
      // Part of this deployment whatever NGINX_MODE says: never a target of the panel's own terminal or stop.
      deploymentContainers: config.NGINX_CONTAINER ? [config.NGINX_CONTAINER] : [],
    });
    logger.info("local agent ready", { dockerHost: agent.dockerHost });
    return agent;
  });
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

/** The implementation behind one of the actor's agents; 404 for anything not the organization's. */
export async function agentFor(actor: Actor, agentId: string): Promise<{ agent: Agent; row: AgentDto }> {
  if (!/^[0-9a-f-]{36}$/i.test(agentId)) throw new NotFoundError("No such agent.");
  const row = await withOrg(actor.orgId, (tx) => tx.agent.findFirst({ where: { id: agentId, orgId: actor.orgId }, select: SELECT }));
  if (!row) throw new NotFoundError("No such agent.");
  if (row.kind !== "local") throw new ServiceUnavailableError("Remote agents are not available yet.", "agent_unavailable");
  return { agent: localAgent(), row: toDto(row) };
}

/** Asks the engine how it is and records it on the row (status, versions, last seen). */
export async function refreshAgent(actor: Pick<Actor, "orgId">, agentId: string, agent: Agent): Promise<AgentInfo> {
  const info = await Promise.race([
    agent.info(),
    new Promise<AgentInfo>((resolve) => setTimeout(() => resolve(unanswered(agent)), 3_000).unref()),
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

function unanswered(agent: Agent): AgentInfo {
  const dockerHost = agent instanceof LocalAgent ? agent.dockerHost : "";
  return unreachableAgentInfo(dockerHost, `Docker engine not reachable at ${dockerHost}: no answer within 3 s`);
}

export async function listAgents(actor: Actor): Promise<{ items: AgentDto[]; nextCursor: null }> {
  assertPermission(actor, "read:container");
  const local = await ensureLocalAgent(actor);
  await refreshAgent(actor, local.id, localAgent()).catch((error) => logger.warn("agent status refresh failed", { error }));
  const rows = await withOrg(actor.orgId, (tx) => tx.agent.findMany({ where: { orgId: actor.orgId }, select: SELECT, orderBy: { name: "asc" } }));
  return { items: rows.map(toDto), nextCursor: null };
}
