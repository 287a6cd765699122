// "Forgot password" (docs/decisions/155): a link mailed through SMTP_URL that sets a new password
// once. The request answers the same whether or not the address has an account (no enumeration;
// the mail goes out after the answer, so timing tells nothing either); it is throttled per
// address and per client. Only the token's hash is stored; a link expires after an hour, works
// once (claimed atomically), and a newer link replaces older ones. Completing it ends every
// session of the account and does not log in: a second factor still guards the next login.
import { audit } from "../audit/audit.server";
import { randomToken, sha256Hex } from "../crypto.server";
import { systemDb } from "../db/client.server";
import { env } from "../env.server";
import { NotFoundError, ThrottledError, ValidationError } from "../errors.server";
import { logger } from "../logger.server";
import { sendSystemMail, systemMailConfigured } from "../mail/system-mail.server";
import { disconnectUserSockets } from "../realtime/disconnect.server";
import { userMemberships } from "./login.server";
import { hashPassword, passwordProblem } from "./password.server";
import { invalidateUserSessions } from "./session.server";
import { clearFailures, takeAttempt, throttleKeys, type ThrottleLimits } from "./throttle.server";

export const RESET_TTL_MS = 60 * 60 * 1000;
/** Per address: a few mails an hour; per client: enough for a shared office, not for a sweep. */
export const RESET_LIMITS_PER_ACCOUNT: ThrottleLimits = { max: 3, windowSeconds: 3600, blockSeconds: 3600 };
export const RESET_LIMITS_PER_CLIENT: ThrottleLimits = { max: 20, windowSeconds: 3600, blockSeconds: 3600 };
const GONE = "This reset link is not valid any more: it was used, replaced by a newer one, or it expired. Ask for a new one.";
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

interface ClientMeta {
  ip?: string;
  userAgent?: string;
}

export function passwordResetAvailable(): boolean {
  return systemMailConfigured();
}

/**
 * Mails a reset link when the address belongs to an enabled account that may log in. Resolves
 * as soon as the request is recorded; throws ThrottledError (whatever the address) when asked too
 * often; never says whether the account exists.
 */
export async function requestPasswordReset(input: { email: string }, meta: ClientMeta, options: { onSent?: (sent: boolean) => void } = {}): Promise<void> {
  if (!passwordResetAvailable()) throw new ValidationError("Password resets by e-mail are not set up here. Ask an administrator to reset your password.");
  const [accountKey, clientKey] = throttleKeys(input.email, meta.ip).map((k) => `reset:${k}`);
  try {
    await takeAttempt([accountKey!], RESET_LIMITS_PER_ACCOUNT);
    if (clientKey) await takeAttempt([clientKey], RESET_LIMITS_PER_CLIENT);
  } catch (error) {
    if (error instanceof ThrottledError) throw new ThrottledError(`Too many reset requests. Try again in ${Math.ceil(error.retryAfterSeconds / 60)} minutes.`, error.retryAfterSeconds);
    throw error;
  }
  // The rest happens after the answer: a known and an unknown address take the same time.
  void mailResetLink(input.email, meta)
    .then((sent) => options.onSent?.(sent))
    .catch((error) => {
      logger.warn("password reset mail failed", { error: error instanceof Error ? error.message : String(error) });
      options.onSent?.(false);
    });
}

async function mailResetLink(email: string, meta: ClientMeta): Promise<boolean> {
  const user = await systemDb().user.findUnique({ where: { email }, select: { id: true, email: true, name: true, disabled: true, platformAdmin: true } });
  const memberships = user && !user.platformAdmin ? await userMemberships(user.id) : [];
  const orgId = memberships[0]?.orgId ?? null;
  if (!user || user.disabled || (!user.platformAdmin && !orgId)) {
    await audit({ orgId, action: "auth.password_reset.request", outcome: "failure", actorId: user?.id, actorEmail: email, ip: meta.ip, userAgent: meta.userAgent, details: { reason: user ? "account disabled" : "unknown account" } });
    return false;
  }
  const token = randomToken(32);
  const expiresAt = new Date(Date.now() + RESET_TTL_MS);
  // One live link per account: a newer request replaces the older ones.
  await systemDb().$transaction([
    systemDb().passwordReset.deleteMany({ where: { userId: user.id, usedAt: null } }),
    systemDb().passwordReset.create({ data: { userId: user.id, tokenHash: sha256Hex(token), expiresAt, ip: meta.ip ?? null } }),
  ]);
  const url = `${env().PUBLIC_URL}/reset-password/${token}`;
  const sent = await sendSystemMail({
    to: user.email,
    subject: "Reset your InfraPilot password",
    text: [
      `Hello ${user.name},`,
      "",
      "Someone (hopefully you) asked to reset the password of your InfraPilot account" + (meta.ip ? ` from ${meta.ip}.` : "."),
      "Open this link within an hour to choose a new one. It works once:",
      "",
      url,
      "",
      "If you did not ask for this, ignore this message: your password stays as it is.",
    ].join("\n"),
  });
  await audit({ orgId, action: "auth.password_reset.request", outcome: sent ? "success" : "failure", actorId: user.id, actorEmail: user.email, ip: meta.ip, userAgent: meta.userAgent, details: sent ? {} : { reason: "mail not sent" } });
  return sent;
}

/** What the reset page shows; null when the link is unknown, used, replaced or expired. */
export async function findPasswordReset(token: string): Promise<{ email: string } | null> {
  if (!TOKEN.test(token)) return null;
  const reset = await systemDb().passwordReset.findUnique({ where: { tokenHash: sha256Hex(token) }, select: { usedAt: true, expiresAt: true, user: { select: { email: true, disabled: true } } } });
  if (!reset || reset.usedAt || reset.expiresAt <= new Date() || reset.user.disabled) return null;
  return { email: reset.user.email };
}

/** Sets the new password, spends the link, ends every session of the account. */
export async function completePasswordReset(input: { token: string; password: string }, meta: ClientMeta): Promise<{ email: string }> {
  if (!TOKEN.test(input.token)) throw new NotFoundError(GONE);
  const tokenHash = sha256Hex(input.token);
  const reset = await systemDb().passwordReset.findUnique({ where: { tokenHash }, select: { userId: true, user: { select: { email: true, name: true } } } });
  if (!reset || !(await findPasswordReset(input.token))) throw new NotFoundError(GONE);
  const problem = passwordProblem(input.password, reset.user);
  if (problem) throw new ValidationError("Choose a stronger password.", { password: problem });
  const passwordHash = await hashPassword(input.password);
  const claimed = await systemDb().passwordReset.updateMany({
    where: { tokenHash, usedAt: null, expiresAt: { gt: new Date() }, user: { is: { disabled: false } } },
    data: { usedAt: new Date() },
  });
  if (claimed.count !== 1) throw new NotFoundError(GONE);
  await systemDb().$transaction([
    systemDb().user.update({ where: { id: reset.userId }, data: { passwordHash, mustChangePassword: false } }),
    systemDb().passwordReset.deleteMany({ where: { userId: reset.userId, usedAt: null } }),
  ]);
  await invalidateUserSessions(reset.userId);
  await disconnectUserSockets(reset.userId);
  // Whoever guessed at the old password is not the owner, who has just proved their mailbox.
  await clearFailures(throttleKeys(reset.user.email, undefined)[0]!);
  const orgId = (await userMemberships(reset.userId))[0]?.orgId ?? null;
  await audit({ orgId, action: "auth.password_reset.complete", outcome: "success", actorId: reset.userId, actorEmail: reset.user.email, ip: meta.ip, userAgent: meta.userAgent });
  return { email: reset.user.email };
}
