// The platform audit trail: every action of the hosted service's operator (setup, login, plan
// changes, suspensions). A global table, not a tenant one: tenants never read it, and its RLS
// policy shows it only to the operator's transactions (platform-db.server.ts, decision 096).
import type { PlatformActor } from "../auth/require.server";
import type { Tx } from "../db/client.server";
import { withPlatform } from "./platform-db.server";

export interface PlatformAuditEntry {
  action: string;
  actorId: string | null;
  actorEmail: string;
  targetOrgId?: string | null;
  targetName?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
  userAgent?: string | null;
}

export interface PlatformAuditDto {
  id: string;
  time: string;
  actorEmail: string;
  action: string;
  targetOrgId: string | null;
  targetName: string | null;
  details: Record<string, unknown>;
  ip: string | null;
}

/** Appends inside an operator transaction, so the entry commits with the change it records. */
export async function platformAuditInTx(tx: Tx, entry: PlatformAuditEntry): Promise<void> {
  await tx.platformAuditLog.create({
    data: {
      action: entry.action,
      actorId: entry.actorId,
      actorEmail: entry.actorEmail,
      targetOrgId: entry.targetOrgId ?? null,
      targetName: entry.targetName ?? null,
      details: JSON.parse(JSON.stringify(entry.details ?? {})) as object,
      ip: entry.ip ?? null,
      userAgent: entry.userAgent?.slice(0, 300) ?? null,
    },
  });
}

export function platformAudit(entry: PlatformAuditEntry): Promise<void> {
  return withPlatform((tx) => platformAuditInTx(tx, entry));
}

/** Newest first, keyset-paginated by (createdAt, id). */
export async function listPlatformAudit(
  _operator: PlatformActor,
  options: { limit?: number; cursor?: string } = {},
): Promise<{ items: PlatformAuditDto[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const cursor = decodeCursor(options.cursor);
  const rows = await withPlatform((tx) =>
    tx.platformAuditLog.findMany({
      where: cursor ? { OR: [{ createdAt: { lt: cursor.time } }, { createdAt: cursor.time, id: { lt: cursor.id } }] } : undefined,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit + 1,
    }),
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      time: r.createdAt.toISOString(),
      actorEmail: r.actorEmail,
      action: r.action,
      targetOrgId: r.targetOrgId,
      targetName: r.targetName,
      details: (r.details ?? {}) as Record<string, unknown>,
      ip: r.ip,
    })),
    nextCursor: rows.length > limit && last ? Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString("base64url") : null,
  };
}

function decodeCursor(cursor: string | undefined): { time: Date; id: string } | null {
  if (!cursor) return null;
  const [time, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const date = new Date(time ?? "");
  return id && !Number.isNaN(date.getTime()) ? { time: date, id } : null;
}
