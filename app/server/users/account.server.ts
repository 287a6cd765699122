// A user's own account: password change (which ends every other session and socket) and the
// list of active sessions with revocation.
import { audit } from "../audit/audit.server";
import { assertInteractiveSession, type Actor } from "../auth/require.server";
import { hashPassword, passwordProblem, verifyPassword } from "../auth/password.server";
import { systemDb } from "../db/client.server";
import { NotFoundError, ValidationError } from "../errors.server";
import { disconnectSessionSockets, disconnectUserSockets } from "../realtime/disconnect.server";

export async function changePassword(actor: Actor, input: { currentPassword: string; newPassword: string }): Promise<void> {
  assertInteractiveSession(actor);
  const user = await systemDb().user.findUniqueOrThrow({ where: { id: actor.userId }, select: { passwordHash: true, email: true, name: true } });
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await audit({ orgId: actor.orgId, action: "account.password.change", outcome: "failure", actorId: actor.userId, actorEmail: actor.email, ip: actor.ip });
    throw new ValidationError("The current password is wrong.", { currentPassword: "Wrong password." });
  }
  const problem = passwordProblem(input.newPassword, user);
  if (problem) throw new ValidationError("Choose a stronger password.", { newPassword: problem });
  if (input.newPassword === input.currentPassword) throw new ValidationError("Choose a new password.", { newPassword: "This is your current password." });
  await systemDb().$transaction([
    systemDb().user.update({ where: { id: actor.userId }, data: { passwordHash: await hashPassword(input.newPassword), mustChangePassword: false } }),
    systemDb().session.deleteMany({ where: { userId: actor.userId, id: { not: actor.sessionId } } }),
  ]);
  await disconnectUserSockets(actor.userId, { exceptSessionId: actor.sessionId });
  await audit({ orgId: actor.orgId, action: "account.password.change", outcome: "success", actorId: actor.userId, actorEmail: actor.email, ip: actor.ip });
}

export interface SessionDto {
  id: string;
  current: boolean;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export async function listSessions(actor: Actor): Promise<SessionDto[]> {
  const rows = await systemDb().session.findMany({ where: { userId: actor.userId, expiresAt: { gt: new Date() } }, orderBy: { createdAt: "desc" } });
  // The id shown is a prefix of the hash: enough to name a session, useless as a credential.
  return rows.map((s) => ({
    id: s.id.slice(0, 16),
    current: s.id === actor.sessionId,
    ip: s.ip,
    userAgent: s.userAgent,
    createdAt: s.createdAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
  }));
}

export async function revokeSession(actor: Actor, shortId: string): Promise<void> {
  assertInteractiveSession(actor);
  if (!/^[0-9a-f]{16}$/.test(shortId)) throw new NotFoundError("No such session.");
  const session = await systemDb().session.findFirst({ where: { userId: actor.userId, id: { startsWith: shortId } }, select: { id: true } });
  if (!session) throw new NotFoundError("No such session.");
  await systemDb().session.delete({ where: { id: session.id } });
  await disconnectSessionSockets(session.id);
  await audit({ orgId: actor.orgId, action: "account.session.revoke", outcome: "success", actorId: actor.userId, actorEmail: actor.email, ip: actor.ip });
}
