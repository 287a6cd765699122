// Alert history: every firing and resolution with its per-channel deliveries; acknowledge.
import { assertPermission, type Actor } from "../auth/require.server";
import { auditInTx } from "../audit/audit.server";
import { withOrg } from "../db/client.server";
import { NotFoundError, ValidationError } from "../errors.server";
import type { HistoryQuery } from "~/validation/alerts";

export interface DeliveryDto {
  channelId: string;
  kind: "fire" | "resolve";
  ok: boolean;
  error: string | null;
  attempts: number;
  at: string;
}

export interface AlertEventDto {
  id: string;
  ruleId: string | null;
  ruleName: string;
  ruleType: string;
  /** The target's display name (container name, domain…); `targetKey` is the stable key. */
  target: string;
  targetKey: string;
  state: "firing" | "resolved";
  value: number | null;
  message: string;
  suppressed: string | null;
  firedAt: string;
  resolvedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  deliveries: DeliveryDto[];
}

const SELECT = {
  id: true,
  ruleId: true,
  ruleName: true,
  ruleType: true,
  target: true,
  targetName: true,
  state: true,
  value: true,
  message: true,
  suppressed: true,
  firedAt: true,
  resolvedAt: true,
  acknowledgedAt: true,
  acknowledgedBy: true,
  deliveries: { select: { channelId: true, kind: true, ok: true, error: true, attempts: true, at: true }, orderBy: { at: "asc" as const } },
} as const;

type Row = {
  id: string;
  ruleId: string | null;
  ruleName: string;
  ruleType: string;
  target: string;
  targetName: string;
  state: string;
  value: number | null;
  message: string;
  suppressed: string | null;
  firedAt: Date;
  resolvedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  deliveries: { channelId: string; kind: string; ok: boolean; error: string | null; attempts: number; at: Date }[];
};

function toDto(r: Row): AlertEventDto {
  return {
    id: r.id,
    ruleId: r.ruleId,
    ruleName: r.ruleName,
    ruleType: r.ruleType,
    target: r.targetName,
    targetKey: r.target,
    state: r.state === "resolved" ? "resolved" : "firing",
    value: r.value,
    message: r.message,
    suppressed: r.suppressed,
    firedAt: r.firedAt.toISOString(),
    resolvedAt: r.resolvedAt?.toISOString() ?? null,
    acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: r.acknowledgedBy,
    deliveries: r.deliveries.map((d) => ({ channelId: d.channelId, kind: d.kind === "resolve" ? "resolve" : "fire", ok: d.ok, error: d.error, attempts: d.attempts, at: d.at.toISOString() })),
  };
}

function decodeCursor(cursor: string | undefined): { firedAt: Date; id: string } | null {
  if (!cursor) return null;
  const [time, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const firedAt = new Date(time ?? "");
  if (!id || Number.isNaN(firedAt.getTime())) throw new ValidationError("Not a valid cursor.", { cursor: "Not a valid cursor." });
  return { firedAt, id };
}

export async function listHistory(actor: Actor, query: HistoryQuery): Promise<{ items: AlertEventDto[]; nextCursor: string | null }> {
  assertPermission(actor, "read:alert");
  const after = decodeCursor(query.cursor);
  const rows = await withOrg(actor.orgId, (tx) =>
    tx.alertEvent.findMany({
      where: {
        orgId: actor.orgId,
        ...(query.ruleId ? { ruleId: query.ruleId } : {}),
        ...(query.alert ? { id: { in: query.alert.split(",") } } : {}),
        ...(query.state ? { state: query.state } : {}),
        ...(query.acknowledged === undefined ? {} : query.acknowledged ? { acknowledgedAt: { not: null } } : { acknowledgedAt: null }),
        ...(query.from || query.to ? { firedAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lte: new Date(query.to) } : {}) } } : {}),
        // The search and the cursor are both ORs: combined with AND so one does not replace the other.
        AND: [
          ...(query.q ? [{ OR: [{ targetName: { contains: query.q, mode: "insensitive" as const } }, { ruleName: { contains: query.q, mode: "insensitive" as const } }, { message: { contains: query.q, mode: "insensitive" as const } }] }] : []),
          ...(after ? [{ OR: [{ firedAt: { lt: after.firedAt } }, { firedAt: after.firedAt, id: { lt: after.id } }] }] : []),
        ],
      },
      select: SELECT,
      orderBy: [{ firedAt: "desc" }, { id: "desc" }],
      take: query.limit + 1,
    }),
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > query.limit && last ? Buffer.from(`${last.firedAt.toISOString()}|${last.id}`).toString("base64url") : null;
  return { items: page.map(toDto), nextCursor };
}

export async function acknowledgeAlert(actor: Actor, id: string): Promise<AlertEventDto> {
  assertPermission(actor, "manage:alert");
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError("No such alert.");
  return withOrg(actor.orgId, async (tx) => {
    const found = await tx.alertEvent.findFirst({ where: { id, orgId: actor.orgId }, select: { id: true, acknowledgedAt: true } });
    if (!found) throw new NotFoundError("No such alert.");
    const row = found.acknowledgedAt
      ? await tx.alertEvent.findFirstOrThrow({ where: { id }, select: SELECT })
      : await tx.alertEvent.update({ where: { id }, data: { acknowledgedAt: new Date(), acknowledgedBy: actor.email }, select: SELECT });
    if (!found.acknowledgedAt) {
      await auditInTx(tx, { orgId: actor.orgId, actorId: actor.userId, actorEmail: actor.email, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null, outcome: "success", action: "alert.acknowledge", targetType: "alert_event", targetId: id });
    }
    return toDto(row);
  });
}
