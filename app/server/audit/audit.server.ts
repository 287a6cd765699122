// The one way to write the audit trail. Every domain verb that changes something calls `audit`.
// Entries of an organization form a hash chain (prevHash → hash over a canonical serialisation);
// appends take a per-organization advisory lock so concurrent writers cannot fork the chain.
import { createHash } from "node:crypto";
import { systemAuditLog, withOrg, type Tx } from "../db/client.server";

export type AuditOutcome = "success" | "failure" | "denied";

export interface AuditEntry {
  orgId: string | null;
  action: string;
  outcome: AuditOutcome;
  actorId?: string | null;
  actorEmail?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
}

/** Pure: the canonical text an entry's hash covers (fixed field order, microsecond time). */
export function canonicalAuditText(e: {
  orgId: string | null;
  time: Date;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  outcome: string;
  details: unknown;
  prevHash: string | null;
}): string {
  return JSON.stringify([
    e.orgId,
    e.time.toISOString(),
    e.actorId,
    e.actorEmail,
    e.action,
    e.targetType,
    e.targetId,
    e.ip,
    e.outcome,
    stableStringify(e.details ?? {}),
    e.prevHash,
  ]);
}

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
    .join(",")}}`;
}

export function auditHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

async function append(tx: Tx, entry: AuditEntry): Promise<void> {
  const chain = entry.orgId ?? "system";
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"audit:" + chain}))`;
  const last = await tx.auditLog.findFirst({
    where: { orgId: entry.orgId },
    orderBy: { id: "desc" },
    select: { hash: true },
  });
  // A JS Date has millisecond precision, which timestamptz(6) stores exactly, so the hash can be
  // recomputed from the stored row.
  const time = new Date();
  const row = {
    orgId: entry.orgId,
    time,
    actorId: entry.actorId ?? null,
    actorEmail: entry.actorEmail ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    ip: entry.ip ?? null,
    outcome: entry.outcome,
    // Round-trip through JSON so the hashed value equals what jsonb gives back (no undefined, no Dates).
    details: JSON.parse(JSON.stringify(entry.details ?? {})) as object,
    prevHash: last?.hash ?? null,
  };
  const hash = auditHash(canonicalAuditText(row));
  await tx.auditLog.create({ data: { ...row, userAgent: entry.userAgent?.slice(0, 300) ?? null, hash } });
}

/** Appends inside the caller's tenant transaction (so the entry commits with the change). */
export function auditInTx(tx: Tx, entry: AuditEntry & { orgId: string }): Promise<void> {
  return append(tx, entry);
}

/** Appends on its own: for events outside a tenant transaction (logins, failures). */
export async function audit(entry: AuditEntry): Promise<void> {
  if (entry.orgId) {
    await withOrg(entry.orgId, (tx) => append(tx, entry));
  } else {
    // Rows with no organization are insert-only for the app role (see the RLS policies), so the
    // system chain cannot read its predecessor; it stays unchained. createMany, because it does
    // not ask for the row back (RETURNING would need read access).
    await systemAuditLog().createMany({
      data: {
        orgId: null,
        action: entry.action,
        outcome: entry.outcome,
        actorId: entry.actorId ?? null,
        actorEmail: entry.actorEmail ?? null,
        targetType: entry.targetType ?? null,
        targetId: entry.targetId ?? null,
        ip: entry.ip ?? null,
        userAgent: entry.userAgent?.slice(0, 300) ?? null,
        details: (entry.details ?? {}) as object,
      },
    });
  }
}
