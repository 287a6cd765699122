// Reading the audit trail: filtered keyset pages, integrity verification of the hash chain, and
// streamed CSV/JSON export.
import type { Prisma } from "~/generated/prisma/client";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import { checkpointSignature, expectedAuditHash, headSignature, type HashedAuditRow } from "./audit.server";
import { withOrgClient } from "../db/pg-pool.server";
import { withAuditNames, type AuditNames } from "./audit-names.server";
import { toCef, toSyslog5424, type AuditLineInput, type ProductInfo } from "./formats";
import { env } from "../env.server";

/** How exports name the product and this installation (CEF header, syslog HOSTNAME and APP-NAME). */
export function productInfo(): ProductInfo {
  return { vendor: "InfraPilot", product: "InfraPilot", version: process.env.npm_package_version ?? "0.1.0", hostname: new URL(env().PUBLIC_URL).hostname };
}

export interface AuditFilters {
  actor?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
}

/** One entry as the API, the screens and every export format see it (the shape lives with the pure formats). */
export type AuditEntryDto = AuditLineInput;

/** A row as the screens show it: with the names of its actor and target where they are known. */
export type NamedAuditEntryDto = AuditEntryDto & AuditNames;

function where(f: AuditFilters): Prisma.AuditLogWhereInput {
  const and: Prisma.AuditLogWhereInput[] = [];
  if (f.actor) and.push({ OR: [{ actorId: f.actor }, { actorEmail: { contains: f.actor, mode: "insensitive" } }] });
  if (f.action) and.push({ action: { startsWith: f.action } });
  if (f.target) and.push({ OR: [{ targetId: f.target }, { targetType: f.target }] });
  if (f.from) and.push({ time: { gte: f.from } });
  if (f.to) and.push({ time: { lte: f.to } });
  return { AND: and };
}

type Row = Prisma.AuditLogGetPayload<object>;

function toDto(r: Row): AuditEntryDto {
  return {
    id: r.id.toString(),
    time: r.time.toISOString(),
    actorId: r.actorId,
    actorEmail: r.actorEmail,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    ip: r.ip,
    userAgent: r.userAgent,
    outcome: r.outcome,
    details: r.details,
  };
}

/** A stored row as exports and the verifier read it (raw pg, far cheaper than Prisma for millions of rows). */
type StoredRow = HashedAuditRow & { hash: string | null };

const RAW_COLUMNS = `id, "orgId", time, "actorId", "actorEmail", action, "targetType", "targetId", ip, "userAgent", outcome, details, "prevHash", hash, "hashVersion"`;

/** The filters as SQL (parameters only: nothing user-supplied is spliced into the text). */
function rawWhere(f: AuditFilters, params: unknown[]): string {
  const and: string[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (f.actor) and.push(`("actorId" = ${p(f.actor)} OR "actorEmail" ILIKE ${p(`%${f.actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)})`);
  if (f.action) and.push(`action LIKE ${p(`${f.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  if (f.target) and.push(`("targetId" = ${p(f.target)} OR "targetType" = ${p(f.target)})`);
  if (f.from) and.push(`time >= ${p(f.from)}`);
  if (f.to) and.push(`time <= ${p(f.to)}`);
  return and.length ? ` AND ${and.join(" AND ")}` : "";
}

/** One keyset page, oldest first, of the organization's rows after `after` (RLS applies: app role). */
async function auditPage(orgId: string, filters: AuditFilters, after: bigint, limit: number): Promise<StoredRow[]> {
  const params: unknown[] = [after.toString(), limit];
  const sql = `SELECT ${RAW_COLUMNS} FROM "AuditLog" WHERE id > $1${rawWhere(filters, params)} ORDER BY id LIMIT $2`;
  const { rows } = await withOrgClient(orgId, (c) => c.query(sql, params));
  return rows.map((r) => ({ ...r, id: BigInt(r.id) }) as StoredRow);
}

export async function listAudit(actor: Actor, filters: AuditFilters, page: { limit?: number; cursor?: string } = {}) {
  assertPermission(actor, "read:audit");
  const limit = Math.min(Math.max(page.limit ?? 100, 1), 500);
  const cursor = page.cursor && /^\d+$/.test(page.cursor) ? BigInt(page.cursor) : undefined;
  const rows = await withOrg(actor.orgId, async (tx) => {
    const found = await tx.auditLog.findMany({
      where: { ...where(filters), ...(cursor ? { id: { lt: cursor } } : {}) },
      orderBy: { id: "desc" },
      take: limit + 1,
    });
    return withAuditNames(tx, found.map(toDto));
  });
  const items: NamedAuditEntryDto[] = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

export type ChainVerification =
  | { ok: true; entries: number; legacyEntries: number; removedByRetention: number; checkpoints: number }
  | { ok: false; brokenAt: string; reason: string; missing?: number };

/**
 * Walks the organization's chain in order and checks it against its signed head and checkpoints
 * (decision 110): an edited row, a removed, reordered or inserted one, the newest rows cut off, a
 * forged head or checkpoint — the first problem found is reported.
 */
export async function verifyAuditChain(actor: Actor): Promise<ChainVerification> {
  assertPermission(actor, "read:audit");
  const { head, checkpoints } = await withOrg(actor.orgId, async (tx) => ({
    head: await tx.auditChainHead.findUnique({ where: { orgId: actor.orgId } }),
    checkpoints: await tx.auditCheckpoint.findMany({ where: { orgId: actor.orgId }, orderBy: { id: "asc" } }),
  }));
  if (head && head.signature !== headSignature(head)) return { ok: false, brokenAt: head.lastId.toString(), reason: "the chain head was edited (its signature does not match)" };
  for (const c of checkpoints) {
    if (c.signature !== checkpointSignature(c)) return { ok: false, brokenAt: c.lastId.toString(), reason: `checkpoint ${c.id} was forged or edited (its signature does not match)` };
  }
  // Retention removed the oldest entries: the newest retention checkpoint bridges the gap.
  const bridge = [...checkpoints].reverse().find((c) => c.removedCount > 0n);
  let previous: string | null = bridge?.removedLastHash ?? null;
  const removed = bridge?.removedCount ?? 0n;
  const byLastId = new Map(checkpoints.map((c) => [c.lastId, c]));
  let after = bridge?.removedLastId ?? 0n;
  let count = 0;
  let legacy = 0;
  let last: { id: bigint; hash: string | null } | null = null;
  for (;;) {
    const batch = await auditPage(actor.orgId, {}, after, 10_000);
    if (batch.length === 0) break;
    for (const row of batch) {
      if (row.prevHash !== previous) return { ok: false, brokenAt: row.id.toString(), reason: "does not follow the entry before it (an entry was removed, reordered or edited)" };
      if (row.hash !== expectedAuditHash(row)) return { ok: false, brokenAt: row.id.toString(), reason: "its content does not match its hash (it was edited)" };
      if (head === null && row.hashVersion >= 2) return { ok: false, brokenAt: row.id.toString(), reason: "the chain head is missing" };
      const checkpoint = byLastId.get(row.id);
      if (checkpoint && checkpoint.lastHash !== row.hash) return { ok: false, brokenAt: row.id.toString(), reason: `does not match checkpoint ${checkpoint.id} signed for it` };
      if (row.hashVersion < 2) legacy++;
      previous = row.hash;
      last = row;
      count++;
    }
    after = batch[batch.length - 1]!.id;
  }
  const total = removed + BigInt(count);
  const lastId = last?.id ?? bridge?.removedLastId ?? 0n;
  // The newest entries cut off: a signed head or checkpoint names entries that are not there.
  const newest = [head, ...checkpoints].filter((x): x is NonNullable<typeof x> => x !== null).sort((a, b) => (a.count > b.count ? -1 : 1))[0];
  if (newest && (newest.count > total || newest.lastId > lastId)) {
    const missing = Number(newest.count - total);
    const since = "id" in newest ? `checkpoint ${newest.id} (${newest.time.toISOString()})` : "the signed chain head";
    return { ok: false, brokenAt: lastId.toString(), missing, reason: `the newest ${missing} entries are missing since ${since}, which names entry ${newest.lastId}` };
  }
  if (head && (head.lastId !== lastId || (last && head.lastHash !== last.hash))) {
    return { ok: false, brokenAt: lastId.toString(), reason: "the entries do not end where the signed chain head says" };
  }
  return { ok: true, entries: count, legacyEntries: legacy, removedByRetention: Number(removed), checkpoints: checkpoints.length };
}

const CSV_COLUMNS = ["id", "time", "actorId", "actorEmail", "action", "targetType", "targetId", "ip", "outcome", "details"] as const;

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  // Neutralise spreadsheet formulas and quote everything that needs it.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const EXPORT_PAGE = 5_000;

export type AuditExportFormat = "csv" | "json" | "cef" | "syslog";

/** Streams the filtered log oldest-first as CSV, a JSON array, CEF or RFC 5424 lines, in batches (bounded memory). */
export function exportAudit(actor: Actor, filters: AuditFilters, format: AuditExportFormat, product: ProductInfo = productInfo()): ReadableStream<Uint8Array> {
  assertPermission(actor, "read:audit");
  const encoder = new TextEncoder();
  let after = 0n;
  let first = true;
  let done = false;
  return new ReadableStream({
    async pull(controller) {
      if (done) return;
      if (first && format === "csv") controller.enqueue(encoder.encode(CSV_COLUMNS.join(",") + "\n"));
      if (first && format === "json") controller.enqueue(encoder.encode("["));
      const batch = await auditPage(actor.orgId, filters, after, EXPORT_PAGE);
      let chunk = "";
      for (const row of batch) {
        const dto = toDto(row as unknown as Row);
        if (format === "csv") chunk += CSV_COLUMNS.map((c) => csvCell(dto[c])).join(",") + "\n";
        else if (format === "cef") chunk += toCef(dto, product) + "\n";
        else if (format === "syslog") chunk += toSyslog5424(dto, product) + "\n";
        else chunk += (first ? "" : ",") + JSON.stringify(dto);
        first = false;
      }
      first = false;
      if (batch.length > 0) after = batch[batch.length - 1]!.id;
      if (batch.length < EXPORT_PAGE) {
        if (format === "json") chunk += "]";
        done = true;
      }
      if (chunk) controller.enqueue(encoder.encode(chunk));
      if (done) controller.close();
    },
  });
}
