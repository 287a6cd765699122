// Reusable access lists (basic-auth users + IP allow/deny rules). Passwords are hashed on save
// and never returned; a change re-applies every agent whose hosts use the list.
import { auditInTx } from "../audit/audit.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import { ConflictError, NotFoundError, ValidationError } from "../errors.server";
import { parseWith } from "../http/api.server";
import { AccessListSchema } from "~/validation/proxy";
import { requestApply } from "./apply.server";
import { ssha } from "./htpasswd.server";

type StoredUser = { username: string; hash: string };
const SELECT = { id: true, name: true, satisfy: true, users: true, rules: true, createdAt: true, updatedAt: true, proxyHosts: { select: { id: true, agentId: true, domains: true }, orderBy: { createdAt: "asc" } } } as const;

function toDto(row: { id: string; name: string; satisfy: string; users: unknown; rules: unknown; createdAt: Date; updatedAt: Date; proxyHosts: { id: string; agentId: string; domains: string[] }[] }) {
  return {
    id: row.id,
    name: row.name,
    satisfy: row.satisfy as "any" | "all",
    users: (row.users as StoredUser[]).map((u) => ({ username: u.username })),
    rules: row.rules as { action: "allow" | "deny"; address: string }[],
    proxyHostIds: row.proxyHosts.map((h) => h.id),
    /** The hosts using the list, so a page can say which before a delete. */
    proxyHosts: row.proxyHosts.map((h) => ({ id: h.id, agentId: h.agentId, domains: h.domains })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function listAccessLists(actor: Actor) {
  assertPermission(actor, "read:proxy");
  const rows = await withOrg(actor.orgId, (tx) => tx.accessList.findMany({ select: SELECT, orderBy: { name: "asc" } }));
  return { items: rows.map(toDto), nextCursor: null };
}

export async function getAccessList(actor: Actor, id: string) {
  assertPermission(actor, "read:proxy");
  const row = await withOrg(actor.orgId, (tx) => tx.accessList.findFirst({ where: { id }, select: SELECT }));
  if (!row) throw new NotFoundError("No such access list.");
  return toDto(row);
}

function hashUsers(users: { username: string; password?: string }[], previous: StoredUser[]): StoredUser[] {
  const seen = new Set<string>();
  return users.map((u, i) => {
    if (seen.has(u.username)) throw new ValidationError("Some fields are not valid.", { [`users.${i}.username`]: "Listed twice." });
    seen.add(u.username);
    if (u.password) return { username: u.username, hash: ssha(u.password) };
    const kept = previous.find((p) => p.username === u.username);
    if (!kept) throw new ValidationError("Some fields are not valid.", { [`users.${i}.password`]: "Set a password for a new user." });
    return kept;
  });
}

async function reapply(orgId: string, agentIds: string[]) {
  await Promise.all([...new Set(agentIds)].map((a) => requestApply(orgId, a)));
}

export async function createAccessList(actor: Actor, raw: unknown) {
  assertPermission(actor, "manage:proxy");
  const input = parseWith(AccessListSchema, raw);
  const row = await withOrg(actor.orgId, async (tx) => {
    if (await tx.accessList.findFirst({ where: { name: input.name }, select: { id: true } })) throw new ValidationError("Some fields are not valid.", { name: "An access list with this name exists." });
    const created = await tx.accessList.create({ data: { orgId: actor.orgId, name: input.name, satisfy: input.satisfy, users: hashUsers(input.users, []), rules: input.rules }, select: SELECT });
    await auditInTx(tx, { orgId: actor.orgId, action: "access_list.create", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "access_list", targetId: created.id, ip: actor.ip, details: { name: input.name } });
    return created;
  });
  return toDto(row);
}

export async function updateAccessList(actor: Actor, id: string, raw: unknown) {
  assertPermission(actor, "manage:proxy");
  const input = parseWith(AccessListSchema, raw);
  const { row, agentIds } = await withOrg(actor.orgId, async (tx) => {
    const existing = await tx.accessList.findFirst({ where: { id }, select: { users: true } });
    if (!existing) throw new NotFoundError("No such access list.");
    if (await tx.accessList.findFirst({ where: { name: input.name, id: { not: id } }, select: { id: true } })) throw new ValidationError("Some fields are not valid.", { name: "An access list with this name exists." });
    const updated = await tx.accessList.update({ where: { id }, data: { name: input.name, satisfy: input.satisfy, users: hashUsers(input.users, existing.users as StoredUser[]), rules: input.rules }, select: SELECT });
    const hosts = await tx.proxyHost.findMany({ where: { accessListId: id }, select: { agentId: true } });
    await tx.proxyHost.updateMany({ where: { accessListId: id }, data: { status: "pending" } });
    await auditInTx(tx, { orgId: actor.orgId, action: "access_list.update", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "access_list", targetId: id, ip: actor.ip, details: { name: input.name } });
    return { row: updated, agentIds: hosts.map((h) => h.agentId) };
  });
  await reapply(actor.orgId, agentIds);
  return toDto(row);
}

export async function deleteAccessList(actor: Actor, id: string) {
  assertPermission(actor, "manage:proxy");
  const agentIds = await withOrg(actor.orgId, async (tx) => {
    const existing = await tx.accessList.findFirst({ where: { id }, select: { name: true } });
    if (!existing) throw new NotFoundError("No such access list.");
    const hosts = await tx.proxyHost.findMany({ where: { accessListId: id }, select: { agentId: true, domains: true }, orderBy: { createdAt: "asc" } });
    if (hosts.length) {
      const names = hosts.map((h) => h.domains[0]).slice(0, 5).join(", ") + (hosts.length > 5 ? ` and ${hosts.length - 5} more` : "");
      throw new ConflictError(`This access list is used by ${hosts.length === 1 ? "a proxy host" : `${hosts.length} proxy hosts`} (${names}); pick another list for ${hosts.length === 1 ? "it" : "them"} first.`);
    }
    await tx.accessList.delete({ where: { id } });
    await auditInTx(tx, { orgId: actor.orgId, action: "access_list.delete", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "access_list", targetId: id, ip: actor.ip, details: { name: existing.name } });
    return hosts.map((h) => h.agentId);
  });
  await reapply(actor.orgId, agentIds);
}
