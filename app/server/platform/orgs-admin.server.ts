// The operator console's verbs (decision 096): every organization with its plan, size and usage;
// changing a plan; suspending and unsuspending. Each change runs in one transaction that is both
// the operator's (for the platform audit trail) and the organization's (RLS on its row), so the
// change, the platform audit entry and the note in the organization's own audit trail commit
// together.
import { z } from "zod";
import type { PlatformActor } from "../auth/require.server";
import { auditInTx } from "../audit/audit.server";
import { NotFoundError } from "../errors.server";
import { parseWith } from "../http/api.server";
import { refreshLogQuota } from "../plans/log-quota.server";
import { planLimits, PLANS, type PlanLimits, type PlanName } from "../plans/plans";
import { platformAuditInTx } from "./platform-audit.server";
import { withPlatform } from "./platform-db.server";
import { pauseOrgAgents, resumeOrgAgents } from "./suspension.server";

export interface AdminOrgDto {
  id: string;
  name: string;
  slug: string;
  plan: PlanName;
  members: number;
  agents: number;
  createdAt: string;
  suspended: boolean;
  suspendedAt: string | null;
  limits: PlanLimits;
  usage: { agents: number; members: number; logBytesThisMonth: number };
}

interface SummaryRow {
  id: string;
  name: string;
  slug: string;
  plan: PlanName;
  suspendedAt: Date | null;
  createdAt: Date;
  members: bigint;
  agents: bigint;
  logBytesThisMonth: bigint;
}

function toDto(r: SummaryRow): AdminOrgDto {
  const members = Number(r.members);
  const agents = Number(r.agents);
  return {
    id: r.id,
    name: r.name,
    slug: r.slug,
    plan: r.plan,
    members,
    agents,
    createdAt: r.createdAt.toISOString(),
    suspended: r.suspendedAt !== null,
    suspendedAt: r.suspendedAt?.toISOString() ?? null,
    limits: planLimits(r.plan),
    usage: { agents, members, logBytesThisMonth: Number(r.logBytesThisMonth) },
  };
}

/** Every organization, newest first (platform_org_summaries answers only the operator's transaction). */
export async function listOrgsForOperator(_operator: PlatformActor): Promise<{ items: AdminOrgDto[]; nextCursor: null }> {
  const rows = await withPlatform((tx) => tx.$queryRaw<SummaryRow[]>`SELECT * FROM platform_org_summaries()`);
  return { items: rows.map(toDto), nextCursor: null };
}

export const AdminOrgPatchSchema = z
  .object({
    plan: z.enum(PLANS, { message: `Choose one of: ${PLANS.join(", ")}.` }).optional(),
    suspended: z.boolean({ message: "Use true or false." }).optional(),
  })
  .strict()
  .refine((v) => v.plan !== undefined || v.suspended !== undefined, { message: "Send plan, suspended, or both." });

const OrgIdSchema = z.uuid();

export async function updateOrgByOperator(operator: PlatformActor, orgId: string, input: unknown): Promise<AdminOrgDto> {
  if (!OrgIdSchema.safeParse(orgId).success) throw new NotFoundError("No such organization.");
  const patch = parseWith(AdminOrgPatchSchema, input);
  const change = await withPlatform(async (tx) => {
    await tx.$executeRaw`SELECT set_config('app.org_id', ${orgId}, true)`;
    const before = await tx.organization.findUnique({ where: { id: orgId }, select: { name: true, plan: true, suspendedAt: true } });
    if (!before) throw new NotFoundError("No such organization.");
    const wasSuspended = before.suspendedAt !== null;
    const suspendChanged = patch.suspended !== undefined && patch.suspended !== wasSuspended;
    const planChanged = patch.plan !== undefined && patch.plan !== before.plan;
    await tx.organization.update({
      where: { id: orgId },
      data: {
        ...(planChanged ? { plan: patch.plan } : {}),
        ...(suspendChanged ? { suspendedAt: patch.suspended ? new Date() : null } : {}),
      },
    });
    const who = { actorId: operator.userId, actorEmail: operator.email, ip: operator.ip, userAgent: operator.userAgent };
    const entries: { action: string; details: Record<string, unknown> }[] = [];
    if (planChanged) entries.push({ action: "org.plan.change", details: { from: before.plan, to: patch.plan } });
    if (suspendChanged) entries.push({ action: patch.suspended ? "org.suspend" : "org.unsuspend", details: {} });
    for (const e of entries) {
      await platformAuditInTx(tx, { ...who, action: e.action, targetOrgId: orgId, targetName: before.name, details: e.details });
      // The organization's own trail says what the operator did to it (not who, beyond "the operator").
      await auditInTx(tx, { orgId, action: e.action, outcome: "success", actorId: null, actorEmail: "service operator", targetType: "organization", targetId: orgId, details: e.details });
    }
    return { planChanged, suspendChanged };
  });
  if (change.planChanged) refreshLogQuota(orgId);
  if (change.suspendChanged) await (patch.suspended ? pauseOrgAgents(orgId) : resumeOrgAgents(orgId));
  const row = (await listOrgsForOperator(operator)).items.find((o) => o.id === orgId);
  if (!row) throw new NotFoundError("No such organization.");
  return row;
}
