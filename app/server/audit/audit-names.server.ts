// Names for the people and objects audit rows point at, so the audit page and the dashboard's
// activity show "Ada Lovelace" and "app.example.com" instead of UUIDs (the ids stay in the rows for
// hover and copy). The log itself keeps ids only: names change, and a deleted object's name is
// taken from the row's own details when it recorded one.
import type { Prisma } from "~/generated/prisma/client";

export interface AuditNameable {
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
  details: unknown;
}

export interface AuditNames {
  actorName: string | null;
  targetName: string | null;
}

type Tx = Prisma.TransactionClient;

const key = (type: string, id: string) => `${type}:${id}`;

/** One query per object type present in the rows (within the caller's org transaction). */
async function lookUp(tx: Tx, rows: AuditNameable[]): Promise<Map<string, string>> {
  const idsOf = (type: string) => [...new Set(rows.filter((r) => r.targetType === type && r.targetId).map((r) => r.targetId!))];
  const userIds = [...new Set([...rows.map((r) => r.actorId), ...idsOf("user")].filter((id): id is string => Boolean(id)))];
  const names = new Map<string, string>();
  const put = (type: string, items: { id: string; name: string }[]) => items.forEach((i) => names.set(key(type, i.id), i.name));
  const uuidOnly = (ids: string[]) => ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  // One transaction is one connection: the lookups run one after another.
  if (userIds.length) {
    const members = await tx.membership.findMany({ where: { userId: { in: uuidOnly(userIds) } }, select: { user: { select: { id: true, name: true, email: true } } } });
    put("user", members.map((m) => ({ id: m.user.id, name: m.user.name || m.user.email })));
  }
  const lookups: [string, (ids: string[]) => Promise<{ id: string; name: string }[]>][] = [
    ["proxy_host", async (ids) => (await tx.proxyHost.findMany({ where: { id: { in: ids } }, select: { id: true, domains: true } })).map((h) => ({ id: h.id, name: h.domains.join(", ") }))],
    ["certificate", async (ids) => (await tx.certificate.findMany({ where: { id: { in: ids } }, select: { id: true, domains: true } })).map((c) => ({ id: c.id, name: c.domains.join(", ") }))],
    ["alert_rule", (ids) => tx.alertRule.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })],
    ["alert_channel", (ids) => tx.alertChannel.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })],
    ["alert_event", async (ids) => (await tx.alertEvent.findMany({ where: { id: { in: ids } }, select: { id: true, ruleName: true, targetName: true } })).map((e) => ({ id: e.id, name: `${e.ruleName} on ${e.targetName}` }))],
    ["monitor", (ids) => tx.monitor.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })],
    ["access_list", (ids) => tx.accessList.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })],
    ["token", (ids) => tx.apiToken.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })],
    ["status_page", async (ids) => (await tx.statusPage.findMany({ where: { id: { in: ids } }, select: { id: true, title: true } })).map((p) => ({ id: p.id, name: p.title }))],
    ["agent", (ids) => tx.agent.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })],
  ];
  for (const [type, find] of lookups) {
    const ids = uuidOnly(idsOf(type));
    if (ids.length) put(type, await find(ids));
  }
  return names;
}

/** What a row recorded about its object when it was written (containers, deleted objects). */
function recordedName(details: unknown): string | null {
  if (!details || typeof details !== "object") return null;
  const d = details as Record<string, unknown>;
  for (const field of ["name", "title", "email", "domain"]) if (typeof d[field] === "string" && d[field]) return d[field] as string;
  if (Array.isArray(d.domains) && d.domains.every((x) => typeof x === "string") && d.domains.length) return d.domains.join(", ");
  return null;
}

/** The rows with `actorName` and `targetName` (null when nothing better than the id is known). */
export async function withAuditNames<T extends AuditNameable>(tx: Tx, rows: T[]): Promise<(T & AuditNames)[]> {
  const names = await lookUp(tx, rows);
  return rows.map((r) => ({
    ...r,
    actorName: r.actorId ? (names.get(key("user", r.actorId)) ?? null) : null,
    targetName: r.targetType && r.targetId ? (names.get(key(r.targetType, r.targetId)) ?? recordedName(r.details)) : null,
  }));
}
