// TOTP multi-factor authentication: enrolment, backup codes, the login challenge, disabling.
// A code is accepted once only (the last accepted time step is stored and compared atomically);
// backup codes are keyed hashes consumed atomically. Every code check of an account (login
// challenge, enabling, disabling, new backup codes) takes an attempt from the same per-account
// throttle first, and the credential-changing verbs need an interactive session.
import { randomBytes } from "node:crypto";
import { audit } from "../audit/audit.server";
import { assertInteractiveSession, type Actor } from "../auth/require.server";
import { createSession } from "../auth/session.server";
import { verifyPassword } from "../auth/password.server";
import { throttledGuess } from "../auth/throttle.server";
import { keyedHash, randomToken, seal, sha256Hex, unseal } from "../crypto.server";
import { systemDb } from "../db/client.server";
import { ConflictError, UnauthorizedError, ValidationError } from "../errors.server";
import type { ClientMeta } from "../auth/login.server";
import { toUserDto, type UserDto } from "../users/user-dto.server";
import { toOperatorDto, type OperatorDto } from "../platform/operator.server";
import { platformAudit } from "../platform/platform-audit.server";
import { matchTotp, newTotpSecret, totpUri } from "./totp.server";
import type { Role } from "~/permissions";

export const BACKUP_CODE_COUNT = 10;
const CHALLENGE_TTL_MS = 5 * 60 * 1000;
const CHALLENGE_MAX_ATTEMPTS = 5;
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // no look-alikes (i/l/1, o/0)

/** Pure: a backup code of 12 characters (~59 bits), shown as xxxx-xxxx-xxxx. */
export function newBackupCode(): string {
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join("");
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

export function normaliseBackupCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, "");
}

const hashBackupCode = (code: string) => keyedHash("backup-code", normaliseBackupCode(code));

/** Who enrols a second factor: a member, or the platform operator (orgId null: no tenant trail). */
export type MfaEnrollee = Pick<Actor, "userId" | "email" | "ip" | "scope"> & { orgId: string | null };

export async function beginMfaSetup(actor: MfaEnrollee): Promise<{ secret: string; otpauthUrl: string; qrSvg: string }> {
  assertInteractiveSession(actor);
  const user = await systemDb().user.findUniqueOrThrow({ where: { id: actor.userId }, select: { mfaEnabled: true, email: true } });
  if (user.mfaEnabled) throw new ConflictError("Two-factor authentication is already on. Turn it off first to enrol a new device.");
  const secret = newTotpSecret();
  await systemDb().user.update({ where: { id: actor.userId }, data: { mfaSecret: seal(secret), mfaLastStep: null } });
  const otpauthUrl = totpUri(secret, user.email);
  const QRCode = (await import("qrcode")).default; // loaded on first use (~10 MB)
  const qrSvg = await QRCode.toString(otpauthUrl, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  return { secret, otpauthUrl, qrSvg };
}

async function replaceBackupCodes(userId: string): Promise<string[]> {
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, newBackupCode);
  await systemDb().$transaction([
    systemDb().mfaBackupCode.deleteMany({ where: { userId } }),
    systemDb().mfaBackupCode.createMany({ data: codes.map((c) => ({ userId, codeHash: hashBackupCode(c) })) }),
  ]);
  return codes;
}

/** Atomically accepts a TOTP step newer than the last one used. */
async function consumeStep(userId: string, step: number): Promise<boolean> {
  const updated = await systemDb().$executeRaw`
    UPDATE "User" SET "mfaLastStep" = ${step} WHERE id = ${userId} AND ("mfaLastStep" IS NULL OR "mfaLastStep" < ${step})`;
  return updated === 1;
}

async function consumeBackupCode(userId: string, code: string): Promise<boolean> {
  const used = await systemDb().mfaBackupCode.updateMany({
    where: { userId, codeHash: hashBackupCode(code), usedAt: null },
    data: { usedAt: new Date() },
  });
  return used.count === 1;
}

const mfaKey = (userId: string) => `mfa:${userId}`;

/** A code check under the account's throttle: an attempt is taken first; a right code clears the counter. */
function throttledFactor(userId: string, check: () => Promise<"totp" | "backup" | null>) {
  return throttledGuess([mfaKey(userId)], check, (factor) => factor !== null, { clearOnSuccess: mfaKey(userId) });
}

/** Checks a TOTP code (once only) or, if allowed, a backup code (once only). */
async function acceptSecondFactor(userId: string, code: string, allowBackup: boolean): Promise<"totp" | "backup" | null> {
  const user = await systemDb().user.findUniqueOrThrow({ where: { id: userId }, select: { mfaSecret: true, mfaLastStep: true } });
  if (user.mfaSecret) {
    const step = await matchTotp(unseal(user.mfaSecret), code, user.mfaLastStep);
    if (step !== null && (await consumeStep(userId, step))) return "totp";
  }
  if (allowBackup && normaliseBackupCode(code).length === 12 && (await consumeBackupCode(userId, code))) return "backup";
  return null;
}

export async function enableMfa(actor: MfaEnrollee, code: string): Promise<{ backupCodes: string[] }> {
  assertInteractiveSession(actor);
  const user = await systemDb().user.findUniqueOrThrow({ where: { id: actor.userId }, select: { mfaEnabled: true, mfaSecret: true } });
  if (user.mfaEnabled) throw new ConflictError("Two-factor authentication is already on.");
  if (!user.mfaSecret) throw new ConflictError("Start the setup first: scan the QR code, then confirm with a code.");
  if ((await throttledFactor(actor.userId, () => acceptSecondFactor(actor.userId, code, false))) !== "totp") {
    throw new ValidationError("That code is not valid. Check the time on your device and try the current code.", { code: "Wrong code." });
  }
  await systemDb().user.update({ where: { id: actor.userId }, data: { mfaEnabled: true } });
  const backupCodes = await replaceBackupCodes(actor.userId);
  await audit({ orgId: actor.orgId, action: "mfa.enable", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "user", targetId: actor.userId, ip: actor.ip });
  return { backupCodes };
}

export async function disableMfa(actor: Actor, input: { password: string; code: string }): Promise<void> {
  assertInteractiveSession(actor);
  const user = await systemDb().user.findUniqueOrThrow({ where: { id: actor.userId }, select: { mfaEnabled: true, passwordHash: true } });
  if (!user.mfaEnabled) throw new ConflictError("Two-factor authentication is not on.");
  let passwordOk = false;
  const factor = await throttledFactor(actor.userId, async () => {
    passwordOk = await verifyPassword(user.passwordHash, input.password);
    return passwordOk ? acceptSecondFactor(actor.userId, input.code, true) : null;
  });
  if (!passwordOk || !factor) {
    await audit({ orgId: actor.orgId, action: "mfa.disable", outcome: "failure", actorId: actor.userId, actorEmail: actor.email, ip: actor.ip });
    throw new ValidationError("The password or the code is wrong.", passwordOk ? { code: "Wrong code." } : { password: "Wrong password." });
  }
  await systemDb().$transaction([
    systemDb().user.update({ where: { id: actor.userId }, data: { mfaEnabled: false, mfaSecret: null, mfaLastStep: null } }),
    systemDb().mfaBackupCode.deleteMany({ where: { userId: actor.userId } }),
  ]);
  await audit({ orgId: actor.orgId, action: "mfa.disable", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "user", targetId: actor.userId, ip: actor.ip });
}

export async function regenerateBackupCodes(actor: Actor, code: string): Promise<{ backupCodes: string[] }> {
  assertInteractiveSession(actor);
  if ((await throttledFactor(actor.userId, () => acceptSecondFactor(actor.userId, code, false))) !== "totp") {
    await audit({ orgId: actor.orgId, action: "mfa.backup_codes.regenerate", outcome: "failure", actorId: actor.userId, actorEmail: actor.email, ip: actor.ip });
    throw new ValidationError("That code is not valid.", { code: "Wrong code." });
  }
  const backupCodes = await replaceBackupCodes(actor.userId);
  await audit({ orgId: actor.orgId, action: "mfa.backup_codes.regenerate", outcome: "success", actorId: actor.userId, actorEmail: actor.email, ip: actor.ip });
  return { backupCodes };
}

/** After a correct password for an MFA user: a short-lived challenge for the second step. */
export async function createMfaChallenge(userId: string, orgId: string | null, meta: ClientMeta): Promise<string> {
  const token = randomToken(32);
  await systemDb().mfaChallenge.create({
    data: { id: sha256Hex(token), userId, orgId, expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS), ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300) },
  });
  return token;
}

export async function completeMfaChallenge(
  input: { challenge: string; code: string },
  meta: ClientMeta,
  roleOf: (userId: string, orgId: string) => Promise<Role>,
): Promise<{ user: UserDto | OperatorDto; cookie: string; operator: boolean }> {
  const id = sha256Hex(input.challenge);
  // Each guess takes one of the challenge's attempts in the same statement that checks there is
  // one left, so parallel guesses cannot all pass a check made before any was counted.
  const [challenge] = await systemDb().$queryRaw<{ userId: string; orgId: string | null }[]>`
    UPDATE "MfaChallenge" SET "attempts" = "attempts" + 1
    WHERE "id" = ${id} AND "expiresAt" > now() AND "attempts" < ${CHALLENGE_MAX_ATTEMPTS}
    RETURNING "userId", "orgId"`;
  if (!challenge) {
    await systemDb().mfaChallenge.deleteMany({ where: { id } });
    throw new UnauthorizedError("This sign-in attempt has expired. Enter your password again.");
  }
  const user = await systemDb().user.findUniqueOrThrow({ where: { id: challenge.userId } });
  const factor = await throttledFactor(user.id, () => acceptSecondFactor(user.id, input.code, true));
  if (!factor) {
    await audit({ orgId: challenge.orgId, action: "auth.mfa", outcome: "failure", actorId: user.id, actorEmail: user.email, ip: meta.ip, userAgent: meta.userAgent });
    throw new UnauthorizedError("Wrong code.");
  }
  // Only one of two concurrent completions may turn the challenge into a session.
  const claimed = await systemDb().mfaChallenge.deleteMany({ where: { id } });
  if (claimed.count !== 1) throw new UnauthorizedError("This sign-in attempt has already been used.");
  const lastLoginAt = new Date();
  await systemDb().user.update({ where: { id: user.id }, data: { lastLoginAt } });
  // A challenge without an organization was made for the platform operator (decision 096).
  if (challenge.orgId === null) {
    if (!user.platformAdmin) throw new UnauthorizedError("This sign-in attempt has expired. Enter your password again.");
    const { cookie } = await createSession(user.id, null, meta);
    await platformAudit({ action: "operator.login", actorId: user.id, actorEmail: user.email, ip: meta.ip, userAgent: meta.userAgent, details: { mfa: factor } });
    return { user: toOperatorDto({ ...user, lastLoginAt }), cookie, operator: true };
  }
  const role = await roleOf(user.id, challenge.orgId);
  const { cookie } = await createSession(user.id, challenge.orgId, meta);
  await audit({ orgId: challenge.orgId, action: "auth.login", outcome: "success", actorId: user.id, actorEmail: user.email, ip: meta.ip, userAgent: meta.userAgent, details: { mfa: factor } });
  return { user: toUserDto({ ...user, lastLoginAt }, role), cookie, operator: false };
}

/** How many unused backup codes the actor has left. */
export async function backupCodesRemaining(actor: Actor): Promise<number> {
  return systemDb().mfaBackupCode.count({ where: { userId: actor.userId, usedAt: null } });
}
