// Members of the current organization (SaaS): list, change role, remove. A role is per
// membership, so it applies in this organization only; a member leaving one organization keeps
// their account and their other organizations. Never the last super admin (owner).
import { canGrantRole, type Role } from "~/permissions";
import { auditInTx } from "../audit/audit.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg, type Tx } from "../db/client.server";
import { requireFeature } from "../edition.server";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.server";
import { endMemberSessions } from "./org-sessions.server";

export interface MemberDto {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: string;
}

const memberSelect = { role: true, createdAt: true, user: { select: { id: true, email: true, name: true } } } as const;
type MemberRow = { role: Role; createdAt: Date; user: { id: string; email: string; name: string } };

function toDto(m: MemberRow): MemberDto {
  return { userId: m.user.id, email: m.user.email, name: m.user.name, role: m.role, joinedAt: m.createdAt.toISOString() };
}

export async function listMembers(actor: Actor): Promise<{ items: MemberDto[]; nextCursor: null }> {
  requireFeature("organizations");
  assertPermission(actor, "read:user");
  const rows = await withOrg(actor.orgId, (tx) => tx.membership.findMany({ where: { orgId: actor.orgId }, select: memberSelect, orderBy: { createdAt: "asc" } }));
  return { items: rows.map(toDto), nextCursor: null };
}

async function lockMembers(tx: Tx, orgId: string) {
  // Serialises role changes in one organization so "never the last super admin" holds.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"members:" + orgId}))`;
}

async function findMember(tx: Tx, orgId: string, userId: string): Promise<MemberRow> {
  if (!/^[0-9a-f-]{36}$/i.test(userId)) throw new NotFoundError("No such member in this organization.");
  const m = await tx.membership.findFirst({ where: { orgId, userId }, select: memberSelect });
  if (!m) throw new NotFoundError("No such member in this organization.");
  return m;
}

async function superAdmins(tx: Tx, orgId: string): Promise<number> {
  return tx.membership.count({ where: { orgId, role: "super_admin" } });
}

export async function changeMemberRole(actor: Actor, userId: string, input: { role: Role }): Promise<MemberDto> {
  requireFeature("organizations");
  assertPermission(actor, "manage:user");
  const { member, changed } = await withOrg(actor.orgId, async (tx) => {
    await lockMembers(tx, actor.orgId);
    const member = await findMember(tx, actor.orgId, userId);
    if (!canGrantRole(actor.role, member.role)) throw new ForbiddenError(`Your role (${actor.role}) cannot change a ${member.role}.`);
    if (!canGrantRole(actor.role, input.role)) throw new ForbiddenError(`Your role (${actor.role}) cannot grant ${input.role}.`);
    if (member.role === input.role) return { member, changed: false };
    if (member.role === "super_admin" && (await superAdmins(tx, actor.orgId)) <= 1) {
      throw new ConflictError("This is the organization's last super admin. Make another member super admin first.", "last_super_admin");
    }
    await tx.membership.updateMany({ where: { orgId: actor.orgId, userId }, data: { role: input.role } });
    await auditInTx(tx, { orgId: actor.orgId, action: "member.role", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "user", targetId: userId, ip: actor.ip, details: { from: member.role, to: input.role } });
    return { member: { ...member, role: input.role }, changed: true };
  });
  // Their sessions in this organization end (they log in again under the new role); others stay.
  if (changed) await endMemberSessions(actor.orgId, userId);
  return toDto(member);
}

export async function removeMember(actor: Actor, userId: string): Promise<void> {
  requireFeature("organizations");
  const leaving = userId === actor.userId;
  // Anyone may leave; removing someone else needs manage:user and a rank at least theirs.
  if (!leaving) assertPermission(actor, "manage:user");
  await withOrg(actor.orgId, async (tx) => {
    await lockMembers(tx, actor.orgId);
    const member = await findMember(tx, actor.orgId, userId);
    if (!leaving && !canGrantRole(actor.role, member.role)) throw new ForbiddenError(`Your role (${actor.role}) cannot remove a ${member.role}.`);
    if (member.role === "super_admin" && (await superAdmins(tx, actor.orgId)) <= 1) {
      throw new ConflictError("This is the organization's last super admin and cannot be removed. Make another member super admin first, or delete the organization.", "last_super_admin");
    }
    await tx.membership.deleteMany({ where: { orgId: actor.orgId, userId } });
    // Their API tokens belong to this organization and go with the membership.
    await tx.apiToken.deleteMany({ where: { orgId: actor.orgId, userId } });
    await auditInTx(tx, { orgId: actor.orgId, action: leaving ? "member.leave" : "member.remove", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "user", targetId: userId, ip: actor.ip, details: { email: member.user.email, role: member.role } });
  });
  await endMemberSessions(actor.orgId, userId);
}
