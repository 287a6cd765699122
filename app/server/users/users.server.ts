// User management inside an organization: list, create (initial password or invitation), change
// role, disable/enable, delete, force a password reset. Access changes end the user's sessions
// and live sockets at once.
import { audit, auditInTx } from "../audit/audit.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { hashPassword, passwordProblem } from "../auth/password.server";
import { invalidateUserSessions, invalidateUserSessionsIn } from "../auth/session.server";
import { systemDb, withOrg, type Tx } from "../db/client.server";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.server";
import { disconnectUserSockets } from "../realtime/disconnect.server";
import { canGrantRole, type Role } from "~/permissions";
import { assertPlanAllows } from "../plans/plan-limits.server";
import { createInvitation, revokeInvitations, type InvitationDto } from "./invitations.server";
import { toUserDto, type UserDto } from "./user-dto.server";

const userFields = { id: true, email: true, name: true, mfaEnabled: true, disabled: true, createdAt: true, lastLoginAt: true, passwordHash: true } as const;

type Row = { role: Role; user: { id: string; email: string; name: string; mfaEnabled: boolean; disabled: boolean; createdAt: Date; lastLoginAt: Date | null; passwordHash: string | null } };

function toListDto(m: Row): UserDto & { invited: boolean } {
  return { ...toUserDto(m.user, m.role), invited: m.user.passwordHash === null };
}

export async function listUsers(actor: Actor, options: { limit?: number; cursor?: string } = {}) {
  assertPermission(actor, "read:user");
  const limit = Math.min(options.limit ?? 100, 500);
  const rows = await withOrg(actor.orgId, (tx) =>
    tx.membership.findMany({
      select: { id: true, role: true, user: { select: userFields } },
      orderBy: { id: "asc" },
      take: limit + 1,
      ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
    }),
  );
  const page = rows.slice(0, limit);
  return { items: page.map(toListDto), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

async function findMember(tx: Tx, orgId: string, userId: string): Promise<Row> {
  const m = await tx.membership.findFirst({ where: { orgId, userId }, select: { role: true, user: { select: userFields } } });
  if (!m) throw new NotFoundError("No such user in this organization.");
  return m;
}

export async function getUser(actor: Actor, userId: string) {
  assertPermission(actor, "read:user");
  return toListDto(await withOrg(actor.orgId, (tx) => findMember(tx, actor.orgId, userId)));
}

export interface CreateUserInput {
  email: string;
  name: string;
  role: Role;
  password?: string;
}

export async function createUser(actor: Actor, input: CreateUserInput): Promise<{ user: UserDto; invitation: InvitationDto | null }> {
  assertPermission(actor, "manage:user");
  if (!canGrantRole(actor.role, input.role)) throw new ForbiddenError(`Your role (${actor.role}) cannot grant ${input.role}.`);
  if (input.password) {
    const problem = passwordProblem(input.password, input);
    if (problem) throw new ValidationError("Choose a stronger password.", { password: problem });
  }
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  const existing = await systemDb().user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) throw new ConflictError("A user with this e-mail address already exists.");
  const user = await withOrg(actor.orgId, async (tx) => {
    // SaaS: the plan's member limit, checked in the same transaction as the insert (decision 095).
    await assertPlanAllows(actor.orgId, "members", tx);
    const created = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash, mustChangePassword: Boolean(passwordHash) }, select: userFields });
    await tx.membership.create({ data: { orgId: actor.orgId, userId: created.id, role: input.role } });
    await auditInTx(tx, { orgId: actor.orgId, action: "user.create", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "user", targetId: created.id, ip: actor.ip, details: { email: input.email, role: input.role, via: passwordHash ? "password" : "invitation" } });
    return created;
  });
  const invitation = passwordHash ? null : await createInvitation(actor, { userId: user.id, email: input.email, name: input.name, role: input.role });
  return { user: toUserDto(user, input.role), invitation };
}

/**
 * The role hierarchy, for every verb on a member (rename, disable, reset, change role, delete):
 * nobody acts on someone ranked above themselves. Equal rank is allowed (admins manage admins).
 */
function assertOutranksOrEquals(actor: Actor, target: Role, verb: string): void {
  if (!canGrantRole(actor.role, target)) throw new ForbiddenError(`Your role (${actor.role}) cannot ${verb} a ${target}.`);
}

/**
 * The account (name, disabled, password) is the identity's, not one organization's: when the user
 * also belongs to another organization, changing it here would change it there too (disable a
 * super admin of another organization, end their sessions everywhere). Refused; the role and the
 * membership are this organization's to change.
 */
async function assertAccountOnlyHere(db: Pick<Tx, "$queryRaw">, userId: string, verb: string): Promise<void> {
  const rows = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM auth_user_memberships(${userId})`;
  if (Number(rows[0]?.n ?? 0) > 1) throw new ConflictError(`This account also belongs to another organization, so it cannot be ${verb} here. Change its role or remove it from this organization instead.`);
}

async function superAdminCount(tx: Tx): Promise<number> {
  return tx.membership.count({ where: { role: "super_admin", user: { disabled: false } } });
}

export interface UpdateUserInput {
  name?: string;
  role?: Role;
  disabled?: boolean;
}

export async function updateUser(actor: Actor, userId: string, input: UpdateUserInput): Promise<UserDto> {
  assertPermission(actor, "manage:user");
  const { row, endAccess } = await withOrg(actor.orgId, async (tx) => {
    // Serialises changes to roles in this organization so "never the last super admin" holds.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"members:" + actor.orgId}))`;
    const member = await findMember(tx, actor.orgId, userId);
    assertOutranksOrEquals(actor, member.role, "change");
    if (input.role && input.role !== member.role && !canGrantRole(actor.role, input.role)) {
      throw new ForbiddenError(`Your role (${actor.role}) cannot change a ${member.role} to ${input.role}.`);
    }
    if ((input.disabled || (input.role && input.role !== "super_admin")) && member.role === "super_admin" && (await superAdminCount(tx)) <= 1) {
      throw new ConflictError("This is the last super admin. Make someone else super admin first.");
    }
    if (input.disabled && userId === actor.userId) throw new ConflictError("You cannot disable your own account.");
    if (input.name !== undefined || input.disabled !== undefined) await assertAccountOnlyHere(tx, userId, input.disabled !== undefined ? (input.disabled ? "disabled" : "enabled") : "renamed");
    if (input.role) await tx.membership.updateMany({ where: { orgId: actor.orgId, userId }, data: { role: input.role } });
    const user = await tx.user.update({ where: { id: userId }, data: { name: input.name, disabled: input.disabled }, select: userFields });
    await auditInTx(tx, { orgId: actor.orgId, action: "user.update", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "user", targetId: userId, ip: actor.ip, details: { ...input, previousRole: member.role } });
    return { row: { role: input.role ?? member.role, user }, endAccess: input.disabled === true || (input.role !== undefined && input.role !== member.role) };
  });
  // Losing access or changing role ends every session and socket: the user logs in again under the new rules.
  if (endAccess) {
    if (input.disabled) await revokeInvitations({ orgId: actor.orgId, userId });
    await invalidateUserSessionsIn(userId, actor.orgId);
    await disconnectUserSockets(userId);
  }
  return toUserDto(row.user, row.role);
}

export async function deleteUser(actor: Actor, userId: string): Promise<void> {
  assertPermission(actor, "manage:user");
  if (userId === actor.userId) throw new ConflictError("You cannot delete your own account.");
  await withOrg(actor.orgId, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"members:" + actor.orgId}))`;
    const member = await findMember(tx, actor.orgId, userId);
    assertOutranksOrEquals(actor, member.role, "delete");
    if (member.role === "super_admin" && (await superAdminCount(tx)) <= 1) throw new ConflictError("This is the last super admin and cannot be deleted.");
    await tx.membership.deleteMany({ where: { orgId: actor.orgId, userId } });
    await auditInTx(tx, { orgId: actor.orgId, action: "user.delete", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "user", targetId: userId, ip: actor.ip, details: { email: member.user.email } });
  });
  await revokeInvitations({ orgId: actor.orgId, userId });
  // The identity goes too unless it still belongs to another organization (its links go with it).
  const remaining = await systemDb().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM auth_user_memberships(${userId})`;
  if (Number(remaining[0]?.n ?? 0) === 0) await systemDb().user.delete({ where: { id: userId } });
  else await invalidateUserSessionsIn(userId, actor.orgId);
  await disconnectUserSockets(userId);
}

export async function forcePasswordReset(actor: Actor, userId: string): Promise<void> {
  assertPermission(actor, "manage:user");
  const member = await withOrg(actor.orgId, (tx) => findMember(tx, actor.orgId, userId));
  assertOutranksOrEquals(actor, member.role, "reset the password of");
  await assertAccountOnlyHere(systemDb(), userId, "sent to a password reset");
  await systemDb().user.update({ where: { id: userId }, data: { mustChangePassword: true } });
  await invalidateUserSessions(userId);
  await disconnectUserSockets(userId);
  await audit({ orgId: actor.orgId, action: "user.force_password_reset", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "user", targetId: userId, ip: actor.ip });
}
