// SaaS plan limits at run time (decision 095): the organization's plan and usage, and the one
// check that code adding agents or members calls. Community has no plans: every check passes.
import type { Actor } from "../auth/require.server";
import { withOrg, type Tx } from "../db/client.server";
import { edition, requireFeature } from "../edition.server";
import { PlanLimitError } from "../errors.server";
import { allowsOneMore, planLimitMessage, planLimits, type CountedLimit, type PlanLimits, type PlanName } from "./plans";

export interface PlanUsage {
  agents: number;
  members: number;
  logBytesThisMonth: number;
  /** Log lines and bytes not stored this month because the monthly volume was used up. */
  logLinesDroppedThisMonth: number;
  logBytesDroppedThisMonth: number;
}

export interface PlanView {
  plan: PlanName;
  limits: PlanLimits;
  usage: PlanUsage;
  /** When the monthly log volume starts over (first day of next month, UTC). */
  periodEnd: string;
  suspended: boolean;
}

async function count(tx: Tx, limit: CountedLimit): Promise<number> {
  // Agents that count are the organization's enrolled, not deleted, remote agents.
  return limit === "agents" ? tx.agent.count({ where: { kind: "remote", revokedAt: null } }) : tx.membership.count();
}

/**
 * Throws 402 plan_limit when the organization cannot have one more agent or member. Pass the
 * caller's transaction (it must be the organization's, from withOrg) so the check and the insert
 * commit together: a per-organization lock makes concurrent additions take turns, so two of them
 * cannot both take the last free place.
 */
export async function assertPlanAllows(orgId: string, limit: CountedLimit, tx?: Tx): Promise<void> {
  if (edition() !== "saas") return;
  const check = async (t: Tx) => {
    await t.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`plan:${orgId}:${limit}`}))`;
    const org = await t.organization.findUnique({ where: { id: orgId }, select: { plan: true } });
    if (!org) return;
    const current = await count(t, limit);
    if (!allowsOneMore(org.plan, limit, current)) throw new PlanLimitError(planLimitMessage(org.plan, limit), limit, planLimits(org.plan)[limit]);
  };
  if (tx) await check(tx);
  else await withOrg(orgId, check);
}

/** The organization's plan as Organization.plan says, or "free" when the row is not visible. */
export async function orgPlan(orgId: string): Promise<PlanName> {
  const org = await withOrg(orgId, (tx) => tx.organization.findUnique({ where: { id: orgId }, select: { plan: true } }));
  return org?.plan ?? "free";
}

/** GET /api/v1/orgs/current/plan: any member may see what the organization may do and uses. */
export async function getPlan(actor: Actor, now = new Date()): Promise<PlanView> {
  requireFeature("planLimits");
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const { org, agents, members, usage } = await withOrg(actor.orgId, async (tx) => {
    const org = await tx.organization.findUniqueOrThrow({ where: { id: actor.orgId }, select: { plan: true, suspendedAt: true } });
    // Counted as the limits count them (enrolled, not deleted, remote agents).
    const agents = await count(tx, "agents");
    const members = await count(tx, "members");
    const [usage] = await tx.$queryRaw<{ bytes: bigint | null; droppedLines: bigint | null; droppedBytes: bigint | null }[]>`
      SELECT sum("bytes") AS bytes, sum("droppedLines") AS "droppedLines", sum("droppedBytes") AS "droppedBytes"
        FROM "LogUsage" WHERE "day" >= ${monthStart}::date`;
    return { org, agents, members, usage };
  });
  return {
    plan: org.plan,
    limits: planLimits(org.plan),
    usage: {
      agents,
      members,
      logBytesThisMonth: Number(usage?.bytes ?? 0),
      logLinesDroppedThisMonth: Number(usage?.droppedLines ?? 0),
      logBytesDroppedThisMonth: Number(usage?.droppedBytes ?? 0),
    },
    periodEnd: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
    suspended: Boolean(org.suspendedAt),
  };
}
