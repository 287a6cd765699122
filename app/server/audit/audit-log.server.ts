// Reading the audit trail: filtered keyset pages, integrity verification of the hash chain, and
// streamed CSV/JSON export.
import type { Prisma } from "~/generated/prisma/client";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import { auditHash, canonicalAuditText } from "./audit.server";
import { withAuditNames, type AuditNames } from "./audit-names.server";

export interface AuditFilters {
  actor?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
}

export interface AuditEntryDto {
  id: string;
  time: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  outcome: string;
  details: unknown;
}

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

/** Walks the organization's chain in order; reports the first entry whose link or hash is wrong. */
export async function verifyAuditChain(actor: Actor): Promise<{ ok: true; entries: number } | { ok: false; brokenAt: string; reason: string }> {
  assertPermission(actor, "read:audit");
  let previous: string | null = null;
  let after = 0n;
  let count = 0;
  for (;;) {
    const batch = await withOrg(actor.orgId, (tx) => tx.auditLog.findMany({ where: { id: { gt: after } }, orderBy: { id: "asc" }, take: 2000 }));
    if (batch.length === 0) return { ok: true, entries: count };
    for (const row of batch) {
      if (row.prevHash !== previous) return { ok: false, brokenAt: row.id.toString(), reason: "does not follow the entry before it (an entry was removed, reordered or edited)" };
      if (row.hash !== auditHash(canonicalAuditText(row))) return { ok: false, brokenAt: row.id.toString(), reason: "its content does not match its hash (it was edited)" };
      previous = row.hash;
      count++;
    }
    after = batch[batch.length - 1]!.id;
  }
}

const CSV_COLUMNS = ["id", "time", "actorId", "actorEmail", "action", "targetType", "targetId", "ip", "outcome", "details"] as const;

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  // Neutralise spreadsheet formulas and quote everything that needs it.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Streams the filtered log oldest-first as CSV or a JSON array, in batches (bounded memory). */
export function exportAudit(actor: Actor, filters: AuditFilters, format: "csv" | "json"): ReadableStream<Uint8Array> {
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
      const batch = await withOrg(actor.orgId, (tx) =>
        tx.auditLog.findMany({ where: { ...where(filters), id: { gt: after } }, orderBy: { id: "asc" }, take: 1000 }),
      );
      let chunk = "";
      for (const row of batch) {
        const dto = toDto(row);
        if (format === "csv") chunk += CSV_COLUMNS.map((c) => csvCell(dto[c])).join(",") + "\n";
        else chunk += (first ? "" : ",") + JSON.stringify(dto);
        first = false;
      }
      first = false;
      if (batch.length > 0) after = batch[batch.length - 1]!.id;
      if (batch.length < 1000) {
        if (format === "json") chunk += "]";
        done = true;
      }
      if (chunk) controller.enqueue(encoder.encode(chunk));
      if (done) controller.close();
    },
  });
}
