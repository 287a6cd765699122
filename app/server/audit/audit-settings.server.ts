// Audit retention and immutable mode per organization (SaaS), the retention job and the periodic
// signed checkpoints (docs/decisions/110-audit-tamper-evidence.md). Immutable mode is enforced twice:
// here with a clear 409, and by a database trigger that refuses the same even to the table owner.
import { assertPermission, type Actor } from "../auth/require.server";
import { systemDb, withOrg, type Tx } from "../db/client.server";
import { ConflictError } from "../errors.server";
import { AUDIT_RETENTION_MAX_DAYS, type AuditSettingsDto, type AuditSettingsInput } from "~/validation/audit";
import { auditInTx, chainHead, writeCheckpoint } from "./audit.server";

/** What an organization without settings keeps: everything up to the longest retention offered. */
const DEFAULT_RETENTION_DAYS = AUDIT_RETENTION_MAX_DAYS;

async function settingsDto(tx: Tx, orgId: string): Promise<AuditSettingsDto> {
  const [row, entries, oldest, checkpoints] = await Promise.all([
    tx.auditSettings.findUnique({ where: { orgId } }),
    tx.auditLog.count({ where: { orgId } }),
    tx.auditLog.findFirst({ where: { orgId }, orderBy: { id: "asc" }, select: { time: true } }),
    tx.auditCheckpoint.count({ where: { orgId } }),
  ]);
  return {
    retentionDays: row?.retentionDays ?? DEFAULT_RETENTION_DAYS,
    immutable: row?.immutable ?? false,
    immutableSince: row?.immutableSince?.toISOString() ?? null,
    usage: { entries, oldest: oldest?.time.toISOString() ?? null, checkpoints },
  };
}

export async function getAuditSettings(actor: Actor): Promise<AuditSettingsDto> {
  assertPermission(actor, "read:audit");
  return withOrg(actor.orgId, (tx) => settingsDto(tx, actor.orgId));
}

export async function updateAuditSettings(actor: Actor, input: AuditSettingsInput): Promise<AuditSettingsDto> {
  assertPermission(actor, "manage:settings");
  return withOrg(actor.orgId, async (tx) => {
    const current = await tx.auditSettings.findUnique({ where: { orgId: actor.orgId } });
    const retentionDays = input.retentionDays ?? current?.retentionDays ?? DEFAULT_RETENTION_DAYS;
    const immutable = input.immutable ?? current?.immutable ?? false;
    if (current?.immutable && !immutable) throw new ConflictError("Immutable mode cannot be turned off once it is on.");
    if (current?.immutable && retentionDays < current.retentionDays) {
      throw new ConflictError(`The audit trail is immutable: its retention can only grow (it is ${current.retentionDays} days).`);
    }
    const immutableSince = immutable ? (current?.immutableSince ?? new Date()) : null;
    await tx.auditSettings.upsert({
      where: { orgId: actor.orgId },
      create: { orgId: actor.orgId, retentionDays, immutable, immutableSince },
      update: { retentionDays, immutable, immutableSince, updatedAt: new Date() },
    });
    await auditInTx(tx, {
      orgId: actor.orgId,
      action: "audit.settings.update",
      outcome: "success",
      actorId: actor.userId,
      actorEmail: actor.email,
      targetType: "audit",
      ip: actor.ip,
      userAgent: actor.userAgent,
      details: { retentionDays, immutable, before: current ? { retentionDays: current.retentionDays, immutable: current.immutable } : null },
    });
    return settingsDto(tx, actor.orgId);
  });
}

async function organizations(): Promise<string[]> {
  const rows = await systemDb().$queryRaw<{ orgId: string }[]>`SELECT "orgId" FROM organization_ids()`;
  return rows.map((r) => r.orgId);
}

/**
 * The retention job: per organization with settings, entries older than its retention leave
 * through audit_apply_retention(), and a signed retention checkpoint bridges the gap so the
 * chain still verifies from its first kept entry.
 */
export async function applyAuditRetention(): Promise<{ removed: number }> {
  let total = 0;
  for (const orgId of await organizations()) {
    total += await withOrg(orgId, async (tx) => {
      if (!(await tx.auditSettings.findUnique({ where: { orgId }, select: { orgId: true } }))) return 0;
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"audit:" + orgId}))`;
      const head = await chainHead(tx, orgId);
      const [result] = await tx.$queryRaw<{ removed: bigint; removed_last_id: bigint | null; removed_last_hash: string | null }[]>`SELECT * FROM audit_apply_retention()`;
      const removed = result?.removed ?? 0n;
      if (!head || removed === 0n) return 0;
      const bridge = await tx.auditCheckpoint.findFirst({ where: { orgId, removedCount: { gt: 0n } }, orderBy: { id: "desc" } });
      await writeCheckpoint(tx, head, "retention", {
        removedCount: (bridge?.removedCount ?? 0n) + removed,
        removedLastId: result!.removed_last_id,
        removedLastHash: result!.removed_last_hash,
      });
      return Number(removed);
    }, { timeout: 120_000 });
  }
  return { removed: total };
}

/** Hourly: a signed checkpoint of every chain that grew since its last one. */
export async function writePeriodicCheckpoints(): Promise<{ written: number }> {
  let written = 0;
  for (const orgId of await organizations()) {
    written += await withOrg(orgId, async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"audit:" + orgId}))`;
      const head = await chainHead(tx, orgId);
      if (!head) return 0;
      const latest = await tx.auditCheckpoint.findFirst({ where: { orgId }, orderBy: { id: "desc" }, select: { lastId: true } });
      if (latest?.lastId === head.lastId) return 0;
      await writeCheckpoint(tx, head, "periodic");
      return 1;
    });
  }
  return { written };
}

/** A signed checkpoint of the chain as it stands, for an export to carry. */
export async function exportCheckpoint(actor: Actor) {
  assertPermission(actor, "read:audit");
  return withOrg(actor.orgId, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"audit:" + actor.orgId}))`;
    const head = await chainHead(tx, actor.orgId);
    return head ? writeCheckpoint(tx, head, "export") : null;
  });
}
