// One-time invitation links: the invited user picks a password and is logged in. Links expire
// and work once (consumed atomically). A link belongs to the user it was made for (by id, not by
// e-mail address): it sets only that user's password, dies when the user is deleted (foreign key
// with cascade) or disabled, and is refused once the user left the organization.
import { audit } from "../audit/audit.server";
import type { Actor } from "../auth/require.server";
import { hashPassword, passwordProblem } from "../auth/password.server";
import { createSession } from "../auth/session.server";
import { randomToken, sha256Hex } from "../crypto.server";
import { systemDb } from "../db/client.server";
import { env } from "../env.server";
import { NotFoundError, ValidationError } from "../errors.server";
import type { Role } from "~/permissions";

export const INVITATION_TTL_MS = 72 * 60 * 60 * 1000;

export interface InvitationDto {
  url: string;
  expiresAt: string;
}

export async function createInvitation(actor: Actor, input: { userId: string; email: string; name: string; role: Role }): Promise<InvitationDto> {
  const token = randomToken(32);
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  await systemDb().invitation.create({
    data: { orgId: actor.orgId, userId: input.userId, email: input.email, name: input.name, role: input.role, tokenHash: sha256Hex(token), expiresAt, createdBy: actor.userId },
  });
  await audit({ orgId: actor.orgId, action: "user.invite", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "user", targetId: input.userId, ip: actor.ip });
  return { url: `${env().PUBLIC_URL}/invite/${token}`, expiresAt: expiresAt.toISOString() };
}

/** What the invitation page shows; null when the link is unknown, used or expired. */
export async function findInvitation(token: string): Promise<{ email: string; name: string } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const inv = await systemDb().invitation.findUnique({
    where: { tokenHash: sha256Hex(token) },
    select: { orgId: true, userId: true, email: true, name: true, usedAt: true, revokedAt: true, expiresAt: true, user: { select: { disabled: true } } },
  });
  // A link without a user is a SaaS invitation by e-mail (app/server/orgs/invitations.server.ts).
  if (!inv?.userId || !inv.user || inv.usedAt || inv.revokedAt || inv.expiresAt <= new Date() || inv.user.disabled || !(await stillMember(inv.userId, inv.orgId))) return null;
  return { email: inv.email, name: inv.name };
}

async function stillMember(userId: string, orgId: string): Promise<boolean> {
  const rows = await systemDb().$queryRaw<{ orgId: string }[]>`SELECT "orgId" FROM auth_user_memberships(${userId})`;
  return rows.some((r) => r.orgId === orgId);
}

/** Disabling or removing a member ends their pending links in that organization. */
export async function revokeInvitations(input: { orgId: string; userId: string }): Promise<void> {
  await systemDb().invitation.deleteMany({ where: { orgId: input.orgId, userId: input.userId, usedAt: null } });
}

export async function acceptInvitation(token: string, password: string, meta: { ip?: string; userAgent?: string }): Promise<{ cookie: string }> {
  const tokenHash = sha256Hex(token);
  const inv = await systemDb().invitation.findUnique({ where: { tokenHash } });
  if (!inv?.userId || inv.usedAt || inv.revokedAt || inv.expiresAt <= new Date() || !(await stillMember(inv.userId, inv.orgId))) throw new NotFoundError("This invitation link is not valid any more. Ask for a new one.");
  const problem = passwordProblem(password, inv);
  if (problem) throw new ValidationError("Choose a stronger password.", { password: problem });
  const passwordHash = await hashPassword(password);
  const claimed = await systemDb().invitation.updateMany({
    where: { tokenHash, usedAt: null, expiresAt: { gt: new Date() }, user: { is: { disabled: false } } },
    data: { usedAt: new Date() },
  });
  if (claimed.count !== 1) throw new NotFoundError("This invitation link is not valid any more. Ask for a new one.");
  // By id: the link can set this one user's password, never that of whoever holds the address now.
  const userId = inv.userId;
  const user = await systemDb().user.update({ where: { id: userId }, data: { passwordHash, mustChangePassword: false, lastLoginAt: new Date() } });
  const { cookie } = await createSession(user.id, inv.orgId, meta);
  await audit({ orgId: inv.orgId, action: "user.invitation.accept", outcome: "success", actorId: user.id, actorEmail: user.email, ip: meta.ip, userAgent: meta.userAgent });
  return { cookie };
}
