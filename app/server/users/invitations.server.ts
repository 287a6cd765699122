// One-time invitation links: the invited user picks a password and is logged in. Links expire
// and work once (consumed atomically).
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
    data: { orgId: actor.orgId, email: input.email, name: input.name, role: input.role, tokenHash: sha256Hex(token), expiresAt, createdBy: actor.userId },
  });
  await audit({ orgId: actor.orgId, action: "user.invite", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "user", targetId: input.userId, ip: actor.ip });
  return { url: `${env().PUBLIC_URL}/invite/${token}`, expiresAt: expiresAt.toISOString() };
}

/** What the invitation page shows; null when the link is unknown, used or expired. */
export async function findInvitation(token: string): Promise<{ email: string; name: string } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const inv = await systemDb().invitation.findUnique({ where: { tokenHash: sha256Hex(token) }, select: { email: true, name: true, usedAt: true, expiresAt: true } });
  if (!inv || inv.usedAt || inv.expiresAt <= new Date()) return null;
  return { email: inv.email, name: inv.name };
}

export async function acceptInvitation(token: string, password: string, meta: { ip?: string; userAgent?: string }): Promise<{ cookie: string }> {
  const tokenHash = sha256Hex(token);
  const inv = await systemDb().invitation.findUnique({ where: { tokenHash } });
  if (!inv || inv.usedAt || inv.expiresAt <= new Date()) throw new NotFoundError("This invitation link is not valid any more. Ask for a new one.");
  const problem = passwordProblem(password, inv);
  if (problem) throw new ValidationError("Choose a stronger password.", { password: problem });
  const passwordHash = await hashPassword(password);
  const claimed = await systemDb().invitation.updateMany({ where: { tokenHash, usedAt: null, expiresAt: { gt: new Date() } }, data: { usedAt: new Date() } });
  if (claimed.count !== 1) throw new NotFoundError("This invitation link is not valid any more. Ask for a new one.");
  const user = await systemDb().user.update({ where: { email: inv.email }, data: { passwordHash, mustChangePassword: false, lastLoginAt: new Date() } });
  const { cookie } = await createSession(user.id, inv.orgId, meta);
  await audit({ orgId: inv.orgId, action: "user.invitation.accept", outcome: "success", actorId: user.id, actorEmail: user.email, ip: meta.ip, userAgent: meta.userAgent });
  return { cookie };
}
