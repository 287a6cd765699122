// Reading the audit trail: filtered keyset pages, integrity verification of the hash chain, and
// streamed CSV/JSON export.
import type { Prisma } from "~/generated/prisma/client";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import type pg from "pg";
import { checkpointSignature, expectedAuditHash, headSignature, type ChainHeadFacts, type CheckpointFacts } from "./audit.server";
import type { Queryable } from "../db/pg-pool.server";
import { openAuditSnapshot, type AuditRowFilters, type AuditSnapshot, type StreamedAuditRow } from "./audit-stream.server";
import { withAuditNames, type AuditNames } from "./audit-names.server";
import { toCef, toSyslog5424, type AuditLineInput, type ProductInfo } from "./formats";
import { env } from "../env.server";

/** How exports name the product and this installation (CEF header, syslog HOSTNAME and APP-NAME). */
export function productInfo(): ProductInfo {
  return { vendor: "InfraPilot", product: "InfraPilot", version: process.env.npm_package_version ?? "0.1.0", hostname: new URL(env().PUBLIC_URL).hostname };
}

export type AuditFilters = AuditRowFilters;

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

interface HeadRow extends ChainHeadFacts {
  signature: string;
}
interface CheckpointRow extends CheckpointFacts {
  id: bigint;
  signature: string;
}

/** The signed head and checkpoints, read in the verifier's snapshot (so rows appended meanwhile are not half-seen). */
async function signedFacts(client: pg.PoolClient, orgId: string): Promise<{ head: HeadRow | null; checkpoints: CheckpointRow[] }> {
  const big = (v: string | null) => (v === null ? null : BigInt(v));
  const heads = await client.query<Record<string, string>>(`SELECT "lastId"::text, "lastHash", count::text, signature FROM "AuditChainHead" WHERE "orgId" = $1`, [orgId]);
  const h = heads.rows[0];
  const cps = await client.query<Record<string, string | null> & { time: Date }>(
    `SELECT id::text, kind, time, "lastId"::text, "lastHash", count::text, "removedCount"::text, "removedLastId"::text, "removedLastHash", signature FROM "AuditCheckpoint" WHERE "orgId" = $1 ORDER BY id`,
    [orgId],
  );
  return {
    head: h ? { orgId, lastId: BigInt(h.lastId!), lastHash: h.lastHash!, count: BigInt(h.count!), signature: h.signature! } : null,
    checkpoints: cps.rows.map((c) => ({
      id: BigInt(c.id!),
      orgId,
      kind: c.kind!,
      time: c.time,
      lastId: BigInt(c.lastId!),
      lastHash: c.lastHash!,
      count: BigInt(c.count!),
      removedCount: BigInt(c.removedCount!),
      removedLastId: big(c.removedLastId),
      removedLastHash: c.removedLastHash,
      signature: c.signature!,
    })),
  };
}

/**
 * Walks the organization's chain in order and checks it against its signed head and checkpoints
 * (decision 110): an edited row, a removed, reordered or inserted one, the newest rows cut off, a
 * forged head or checkpoint — the first problem found is reported. Rows, head and checkpoints are
 * read in one snapshot, streamed through a cursor (audit-stream.server.ts).
 */
export async function verifyAuditChain(actor: Actor, pool?: Queryable): Promise<ChainVerification> {
  assertPermission(actor, "read:audit");
  const snapshot = await openAuditSnapshot(actor.orgId, pool);
  try {
    return await verifyInSnapshot(snapshot, actor.orgId);
  } finally {
    await snapshot.close();
  }
}

async function verifyInSnapshot(snapshot: AuditSnapshot, orgId: string): Promise<ChainVerification> {
  const { head, checkpoints } = await signedFacts(snapshot.client, orgId);
  if (head && head.signature !== headSignature(head)) return { ok: false, brokenAt: head.lastId.toString(), reason: "the chain head was edited (its signature does not match)" };
  for (const c of checkpoints) {
    if (c.signature !== checkpointSignature(c)) return { ok: false, brokenAt: c.lastId.toString(), reason: `checkpoint ${c.id} was forged or edited (its signature does not match)` };
  }
  // Retention removed the oldest entries: the newest retention checkpoint bridges the gap.
  const bridge = [...checkpoints].reverse().find((c) => c.removedCount > 0n);
  let previous: string | null = bridge?.removedLastHash ?? null;
  const removed = bridge?.removedCount ?? 0n;
  const byLastId = new Map(checkpoints.map((c) => [c.lastId, c]));
  let count = 0;
  let legacy = 0;
  let last: { id: bigint; hash: string | null } | null = null;
  for await (const batch of snapshot.rows({ afterId: bridge?.removedLastId ?? 0n, chunk: 10_000 })) {
    for (const row of batch) {
      if (row.prevHash !== previous) return { ok: false, brokenAt: row.id.toString(), reason: "does not follow the entry before it (an entry was removed, reordered or edited)" };
      if (row.hash !== expectedAuditHash(row)) return { ok: false, brokenAt: row.id.toString(), reason: "its content does not match its hash (it was edited)" };
      if (head === null && row.hashVersion >= 2) return { ok: false, brokenAt: row.id.toString(), reason: "the chain head is missing" };
      if (byLastId.size > 0) {
        const checkpoint = byLastId.get(row.id);
        if (checkpoint && checkpoint.lastHash !== row.hash) return { ok: false, brokenAt: row.id.toString(), reason: `does not match checkpoint ${checkpoint.id} signed for it` };
      }
      if (row.hashVersion < 2) legacy++;
      previous = row.hash;
      last = row;
      count++;
    }
  }
  const total = removed + BigInt(count);
  const lastId = last?.id ?? bridge?.removedLastId ?? 0n;
  // The newest entries cut off: a signed head or checkpoint names entries that are not there.
  const newest = [head, ...checkpoints].filter((x): x is NonNullable<typeof x> => x !== null).sort((a, b) => (a.count > b.count ? -1 : 1))[0];
  if (newest && (newest.count > total || newest.lastId > lastId)) {
    const missing = Number(newest.count - total);
    const since = newest === head ? "the signed chain head" : `checkpoint ${(newest as CheckpointRow).id} (${(newest as CheckpointRow).time.toISOString()})`;
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

const EXPORT_CHUNK = 5_000;

export type AuditExportFormat = "csv" | "json" | "cef" | "syslog";

/** A streamed row as the formats see it. */
export function streamedToDto(r: StreamedAuditRow): AuditEntryDto {
  return {
    id: r.id.toString(),
    time: r.time,
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

/** Pure: one chunk of entries in an export format (`first`: the chunk opens the file). */
export function formatAuditChunk(rows: AuditEntryDto[], format: AuditExportFormat, product: ProductInfo, first: boolean): string {
  let chunk = "";
  if (format === "csv") {
    for (const dto of rows) chunk += `${csvCell(dto.id)},${csvCell(dto.time)},${csvCell(dto.actorId)},${csvCell(dto.actorEmail)},${csvCell(dto.action)},${csvCell(dto.targetType)},${csvCell(dto.targetId)},${csvCell(dto.ip)},${csvCell(dto.outcome)},${csvCell(dto.details)}\n`;
  } else if (format === "cef") {
    for (const dto of rows) chunk += toCef(dto, product) + "\n";
  } else if (format === "syslog") {
    for (const dto of rows) chunk += toSyslog5424(dto, product) + "\n";
  } else {
    for (const dto of rows) {
      chunk += (first ? "" : ",") + JSON.stringify(dto);
      first = false;
    }
  }
  return chunk;
}

/**
 * Streams the filtered log oldest-first as CSV, a JSON array, CEF or RFC 5424 lines: one snapshot,
 * a cursor read in chunks while the previous chunk is formatted (bounded memory).
 */
export function exportAudit(actor: Actor, filters: AuditFilters, format: AuditExportFormat, product: ProductInfo = productInfo(), pool?: Queryable): ReadableStream<Uint8Array> {
  assertPermission(actor, "read:audit");
  const encoder = new TextEncoder();
  let snapshot: AuditSnapshot | null = null;
  let batches: AsyncGenerator<StreamedAuditRow[]> | null = null;
  let first = true;
  const finish = async () => {
    await batches?.return(undefined).catch(() => {});
    await snapshot?.close();
  };
  return new ReadableStream({
    async pull(controller) {
      try {
        let head = "";
        if (!batches) {
          snapshot = await openAuditSnapshot(actor.orgId, pool);
          batches = snapshot.rows({ filters, chunk: EXPORT_CHUNK });
          if (format === "csv") head = CSV_COLUMNS.join(",") + "\n";
          if (format === "json") head = "[";
        }
        const next = await batches.next();
        if (next.done) {
          await finish();
          if (format === "json") head += "]";
          if (head) controller.enqueue(encoder.encode(head));
          controller.close();
          return;
        }
        const text = head + formatAuditChunk(next.value.map(streamedToDto), format, product, first);
        first = false;
        controller.enqueue(encoder.encode(text));
      } catch (error) {
        await finish().catch(() => {});
        controller.error(error);
      }
    },
    async cancel() {
      await finish();
    },
  });
}
