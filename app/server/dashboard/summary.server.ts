// What the dashboard shows: real counts from this organization, nothing invented.
import type { Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";

export interface DashboardSummary {
  members: number;
  agents: { id: string; name: string; kind: string; status: string; lastSeenAt: string | null }[];
  recentActivity: { id: string; time: string; action: string; actorEmail: string | null; outcome: string }[];
}

export async function dashboardSummary(actor: Actor): Promise<DashboardSummary> {
  return withOrg(actor.orgId, async (tx) => {
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
}
