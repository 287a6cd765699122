// Organizations of the SaaS edition: the caller's list, create, switch (the choice lives on the
// session), the current one's read/rename, and delete with its slug typed. docs/decisions/090–092.
import { randomBytes, randomUUID } from "node:crypto";
import type { Role } from "~/permissions";
import { audit, auditInTx } from "../audit/audit.server";
import { assertInteractiveSession, assertPermission, type Actor } from "../auth/require.server";
import { systemDb, withOrg, type Tx } from "../db/client.server";
import { requireFeature } from "../edition.server";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.server";
import { logger } from "../logger.server";
import { revokeOrgAgents } from "../agents/connections.server";
import { deleteOrgFiles, deleteOrgRows } from "./org-delete.server";
import { endOrgSessions, moveSession } from "./org-sessions.server";
import { slugify, withSuffix } from "./slug";

export interface OrgDto {
  id: string;
  name: string;
  slug: string;
  role: Role;
  plan: string;
  createdAt?: string;
}

interface OrgRow {
  id: string;
  name: string;
  slug: string;
  plan: string;
  role: string;
  joinedAt: Date;
}

/** Every organization the user belongs to, with their role in each (across tenants, by definer function). */
export async function userOrgs(userId: string): Promise<OrgDto[]> {
  const rows = await systemDb().$queryRaw<OrgRow[]>`SELECT * FROM auth_user_orgs(${userId})`;
  return rows.map((r) => ({ id: r.id, name: r.name, slug: r.slug, plan: r.plan, role: r.role as Role }));
}

export async function listOrgs(actor: Actor): Promise<{ items: (OrgDto & { current: boolean })[]; nextCursor: null }> {
  requireFeature("organizations");
  // An API token belongs to one organization (decision 090): it sees only that one.
  const orgs = (await userOrgs(actor.userId)).filter((o) => actor.scope === undefined || o.id === actor.orgId);
  return { items: orgs.map((o) => ({ ...o, current: o.id === actor.orgId })), nextCursor: null };
}

/**
 * Inserts an organization with a unique slug (the unique index decides: organizations are under
 * RLS, so no tenant can look the others' slugs up) and its first super admin.
 */
/** Inside `withOrg(id, …)` for the new organization's id (newOrgId()), so its rows pass row-level security. */
export async function insertOrg(tx: Tx, input: { id: string; name: string; ownerId: string }): Promise<{ id: string; name: string; slug: string; plan: string; createdAt: Date }> {
  const id = input.id;
  const base = slugify(input.name);
  for (let attempt = 0; attempt < 5; attempt++) {
    const slug = attempt === 0 ? base : withSuffix(base, randomBytes(3).toString("hex"));
    const inserted = await tx.$queryRaw<{ slug: string }[]>`
      INSERT INTO "Organization" ("id", "name", "slug") VALUES (${id}, ${input.name}, ${slug})
      ON CONFLICT ("slug") DO NOTHING RETURNING "slug"`;
    if (inserted.length) {
      await tx.membership.create({ data: { orgId: id, userId: input.ownerId, role: "super_admin" } });
      const row = await tx.organization.findUniqueOrThrow({ where: { id }, select: { id: true, name: true, slug: true, plan: true, createdAt: true } });
      return row;
    }
  }
  throw new ConflictError("Could not find a free address for this organization. Try another name.");
}

export async function createOrg(actor: Actor, input: { name: string }): Promise<OrgDto> {
  requireFeature("organizations");
  assertInteractiveSession(actor);
  const id = randomUUID();
  const org = await withOrg(id, async (tx) => {
    const row = await insertOrg(tx, { id, name: input.name, ownerId: actor.userId });
    await auditInTx(tx, { orgId: row.id, action: "org.create", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "organization", targetId: row.id, ip: actor.ip, details: { name: row.name, slug: row.slug } });
    return row;
  });
  return { id: org.id, name: org.name, slug: org.slug, plan: org.plan, role: "super_admin", createdAt: org.createdAt.toISOString() };
}

/** Makes `orgId` the session's current organization: only a member may, only with a session. */
export async function switchOrg(actor: Actor, input: { orgId: string }): Promise<OrgDto> {
  requireFeature("organizations");
  assertInteractiveSession(actor);
  const org = (await userOrgs(actor.userId)).find((o) => o.id === input.orgId);
  if (!org) throw new ForbiddenError("You are not a member of this organization (any more). Ask one of its admins to invite you.", "not_a_member");
  if (org.id !== actor.orgId) {
    await moveSession(actor.sessionId, org.id);
    await audit({ orgId: org.id, action: "org.switch", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "organization", targetId: org.id, ip: actor.ip, details: { from: actor.orgId } });
  }
  return org;
}

export async function getCurrentOrg(actor: Actor): Promise<OrgDto & { createdAt: string; members: number }> {
  requireFeature("organizations");
  const found = await withOrg(actor.orgId, async (tx) => ({
    org: await tx.organization.findUnique({ where: { id: actor.orgId }, select: { id: true, name: true, slug: true, plan: true, createdAt: true } }),
    members: await tx.membership.count({ where: { orgId: actor.orgId } }),
  }));
  if (!found.org) throw new NotFoundError("This organization no longer exists.");
  const { org, members } = found;
  return { id: org.id, name: org.name, slug: org.slug, plan: org.plan, role: actor.role, createdAt: org.createdAt.toISOString(), members };
}

export async function renameOrg(actor: Actor, input: { name: string }): Promise<OrgDto & { createdAt: string; members: number }> {
  requireFeature("organizations");
  assertPermission(actor, "manage:org");
  await withOrg(actor.orgId, async (tx) => {
    const before = await tx.organization.findUnique({ where: { id: actor.orgId }, select: { name: true } });
    if (!before) throw new NotFoundError("This organization no longer exists.");
    await tx.organization.update({ where: { id: actor.orgId }, data: { name: input.name } });
    await auditInTx(tx, { orgId: actor.orgId, action: "org.rename", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "organization", targetId: actor.orgId, ip: actor.ip, details: { from: before.name, to: input.name } });
  });
  return getCurrentOrg(actor);
}

/**
 * Deletes the current organization: owner (super_admin) only, from a session, with its slug
 * typed. Sessions in it end with a notice for their holders, its sockets close, every row with
 * its id and its files under DATA_DIR go.
 */
export async function deleteOrg(actor: Actor, input: { confirm: string }): Promise<{ removedRows: Record<string, number>; removedFiles: string[]; next: OrgDto | null }> {
  requireFeature("organizations");
  assertInteractiveSession(actor);
  if (actor.role !== "super_admin") throw new ForbiddenError("Only an owner (super admin) of the organization can delete it.");
  const org = await withOrg(actor.orgId, (tx) => tx.organization.findUnique({ where: { id: actor.orgId }, select: { id: true, name: true, slug: true } }));
  if (!org) throw new NotFoundError("This organization no longer exists.");
  if (input.confirm.toLowerCase() !== org.slug) throw new ValidationError("Type the organization's slug exactly to confirm.", { confirm: `Type ${org.slug} to confirm.` });
  // The owner carries on in another organization of theirs, if they have one.
  const next = (await userOrgs(actor.userId)).find((o) => o.id !== org.id);
  if (next) await moveSession(actor.sessionId, next.id);
  // Its remote agents are told why and disconnected (they stop retrying); their rows go below, which
  // ends their credentials too. The built-in agent belongs to no SaaS organization.
  revokeOrgAgents(org.id, `The organization ${org.name} was deleted.`);
  await endOrgSessions(org.id, org.name);
  const removedRows = await deleteOrgRows(org.id);
  const removedFiles = await deleteOrgFiles(org.id);
  // The organization's own audit trail went with it; the platform keeps this line in its log.
  logger.info("organization deleted", { orgId: org.id, slug: org.slug, by: actor.userId, removedRows });
  return { removedRows, removedFiles, next: next ?? null };
}
