// The one way to write the audit trail. Every domain verb that changes something calls `audit`.
// Entries of an organization form a hash chain (prevHash → keyed hash over every stored field),
// with a signed chain head kept apart from the rows (docs/decisions/110-audit-tamper-evidence.md);
// appends take a per-organization advisory lock so concurrent writers cannot fork the chain.
import { createHash } from "node:crypto";
import { keyedHash } from "../crypto.server";
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

/** Pure: the canonical text of a legacy (version 1) row's hash, kept to verify rows written before decision 110. */
export function canonicalAuditText(e: {
  orgId: string | null;
  time: Date | string;
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
    isoTime(e.time),
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

/** A time as the hash text has it: a Date, or the ISO text a bulk reader already holds. */
function isoTime(time: Date | string): string {
  return typeof time === "string" ? time : time.toISOString();
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

/** Rows written since decision 110: an HMAC over every stored field, under a key not in the database. */
export const AUDIT_HASH_VERSION = 2;

export interface HashedAuditRow {
  id: bigint;
  orgId: string | null;
  /** A Date, or its ISO text (`toISOString()`), which bulk readers get from the database directly. */
  time: Date | string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  outcome: string;
  details: unknown;
  prevHash: string | null;
  hashVersion: number;
}

/** Pure: the canonical text of a version-2 row (every stored field but the hash itself). */
export function canonicalAuditTextV2(e: HashedAuditRow): string {
  return JSON.stringify([
    2,
    e.id.toString(),
    e.orgId,
    isoTime(e.time),
    e.actorId,
    e.actorEmail,
    e.action,
    e.targetType,
    e.targetId,
    e.ip,
    e.userAgent,
    e.outcome,
    stableStringify(e.details ?? {}),
    e.prevHash,
  ]);
}

/** The hash a stored row must carry, by its version (1: legacy SHA-256; 2: keyed). */
export function expectedAuditHash(row: HashedAuditRow): string {
  return row.hashVersion >= 2 ? keyedHash("audit-chain", canonicalAuditTextV2(row)) : auditHash(canonicalAuditText(row));
}

export interface ChainHeadFacts {
  orgId: string;
  lastId: bigint;
  lastHash: string;
  count: bigint;
}

export function headSignature(h: ChainHeadFacts): string {
  return keyedHash("audit-head", JSON.stringify([h.orgId, h.lastId.toString(), h.lastHash, h.count.toString()]));
}

export interface CheckpointFacts extends ChainHeadFacts {
  kind: string;
  time: Date;
  removedCount: bigint;
  removedLastId: bigint | null;
  removedLastHash: string | null;
}

export function checkpointSignature(c: CheckpointFacts): string {
  return keyedHash(
    "audit-checkpoint",
    JSON.stringify([c.orgId, c.kind, c.time.toISOString(), c.lastId.toString(), c.lastHash, c.count.toString(), c.removedCount.toString(), c.removedLastId?.toString() ?? null, c.removedLastHash]),
  );
}

/**
 * The organization's signed chain head, created on first use. A chain that predates decision 110
 * (legacy rows, no head) is adopted: its newest row becomes the head and an "adopted" checkpoint
 * signs it, so legacy rows can no longer be rewritten unnoticed from then on.
 */
export async function chainHead(tx: Tx, orgId: string): Promise<ChainHeadFacts | null> {
  const head = await tx.auditChainHead.findUnique({ where: { orgId } });
  if (head) return head;
  const last = await tx.auditLog.findFirst({ where: { orgId }, orderBy: { id: "desc" }, select: { id: true, hash: true } });
  if (!last?.hash) return null;
  const adopted = { orgId, lastId: last.id, lastHash: last.hash, count: BigInt(await tx.auditLog.count({ where: { orgId } })) };
  await tx.auditChainHead.create({ data: { ...adopted, signature: headSignature(adopted) } });
  await writeCheckpoint(tx, adopted, "adopted");
  return adopted;
}

/** Signs the head (or the given facts) into an insert-only checkpoint row. */
export async function writeCheckpoint(
  tx: Tx,
  head: ChainHeadFacts,
  kind: "periodic" | "export" | "retention" | "adopted",
  removed: { removedCount: bigint; removedLastId: bigint | null; removedLastHash: string | null } = { removedCount: 0n, removedLastId: null, removedLastHash: null },
): Promise<CheckpointFacts & { signature: string }> {
  if (kind !== "retention") {
    // Carry the retention bridge forward so the newest checkpoint alone describes the chain.
    const previous = await tx.auditCheckpoint.findFirst({ where: { orgId: head.orgId, removedCount: { gt: 0n } }, orderBy: { id: "desc" } });
    if (previous) removed = { removedCount: previous.removedCount, removedLastId: previous.removedLastId, removedLastHash: previous.removedLastHash };
  }
  const facts: CheckpointFacts = { orgId: head.orgId, lastId: head.lastId, lastHash: head.lastHash, count: head.count, kind, time: new Date(), ...removed };
  const signature = checkpointSignature(facts);
  await tx.auditCheckpoint.create({ data: { ...facts, signature } });
  return { ...facts, signature };
}

async function append(tx: Tx, entry: AuditEntry & { orgId: string }): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"audit:" + entry.orgId}))`;
  const head = await chainHead(tx, entry.orgId);
  const [{ id }] = await tx.$queryRaw<{ id: bigint }[]>`SELECT nextval(pg_get_serial_sequence('"AuditLog"', 'id')) AS id`;
  // A JS Date has millisecond precision, which timestamptz(6) stores exactly, so the hash can be
  // recomputed from the stored row.
  const row: HashedAuditRow = {
    id: id!,
    orgId: entry.orgId,
    time: new Date(),
    actorId: entry.actorId ?? null,
    actorEmail: entry.actorEmail ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    ip: entry.ip ?? null,
    userAgent: entry.userAgent?.slice(0, 300) ?? null,
    outcome: entry.outcome,
    // Round-trip through JSON so the hashed value equals what jsonb gives back (no undefined, no Dates).
    details: JSON.parse(JSON.stringify(entry.details ?? {})) as object,
    prevHash: head?.lastHash ?? null,
    hashVersion: AUDIT_HASH_VERSION,
  };
  const hash = expectedAuditHash(row);
  await tx.auditLog.create({ data: { ...row, details: row.details as object, hash } });
  const next = { orgId: entry.orgId, lastId: row.id, lastHash: hash, count: (head?.count ?? 0n) + 1n };
  await tx.auditChainHead.upsert({
    where: { orgId: entry.orgId },
    create: { ...next, signature: headSignature(next) },
    update: { lastId: next.lastId, lastHash: next.lastHash, count: next.count, signature: headSignature(next), updatedAt: new Date() },
  });
}

/** Appends inside the caller's tenant transaction (so the entry commits with the change). */
export function auditInTx(tx: Tx, entry: AuditEntry & { orgId: string }): Promise<void> {
  return append(tx, entry);
}

/** Appends on its own: for events outside a tenant transaction (logins, failures). */
export async function audit(entry: AuditEntry): Promise<void> {
  const orgId = entry.orgId;
  if (orgId) {
    await withOrg(orgId, (tx) => append(tx, { ...entry, orgId }));
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
