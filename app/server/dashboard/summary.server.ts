// What the dashboard shows: real counts from this organization, nothing invented.
import type { Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import { can } from "~/permissions";
import { agentFor, ensureLocalAgent, refreshAgent } from "../agents/registry.server";
import { logger } from "../logger.server";

export interface DashboardSummary {
  members: number;
  agents: { id: string; name: string; kind: string; status: string; lastSeenAt: string | null }[];
  /** The built-in agent's engine as of now (null when the viewer may not see containers). */
  docker: { agentId: string; reachable: boolean; error: string | null; dockerHost: string; version: string | null; running: number; total: number } | null;
  recentActivity: { id: string; time: string; action: string; actorEmail: string | null; outcome: string }[];
}

export async function dashboardSummary(actor: Actor): Promise<DashboardSummary> {
  const docker = can(actor.role, "read:container") ? await dockerStatus(actor) : null;
  const summary = await withOrg(actor.orgId, async (tx) => {
    // One transaction is one connection: queries run one after another.
    const members = await tx.membership.count();
    const agents = await tx.agent.findMany({ select: { id: true, name: true, kind: true, status: true, lastSeenAt: true }, orderBy: { name: "asc" } });
    const recent = await tx.auditLog.findMany({
      select: { id: true, time: true, action: true, actorEmail: true, outcome: true },
      orderBy: { id: "desc" },
      take: 8,
    });
    return {
      members,
      agents: agents.map((a) => ({ ...a, lastSeenAt: a.lastSeenAt?.toISOString() ?? null })),
      recentActivity: recent.map((r) => ({ ...r, id: r.id.toString(), time: r.time.toISOString() })),
    };
  });
  return { ...summary, docker };
}

/** One `info` call: cheap (the engine keeps the counts), and it refreshes the agent row. */
async function dockerStatus(actor: Actor): Promise<DashboardSummary["docker"]> {
  try {
    const agent = await ensureLocalAgent(actor);
    const info = await refreshAgent(actor, agent.id, await agentFor(actor, agent.id));
    return {
      agentId: agent.id,
      reachable: info.reachable,
      error: info.error,
      dockerHost: info.dockerHost,
      version: info.dockerVersion,
      running: info.containers?.running ?? 0,
      total: info.containers?.total ?? 0,
    };
  } catch (error) {
    logger.warn("docker status for the dashboard failed", { error });
    return null;
  }
}
