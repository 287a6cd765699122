// Password login and logout as domain verbs. Throttled per account and per address; every
// attempt is audited; the session token is new at every login (no fixation).
import type { Role } from "~/permissions";
import { audit } from "../audit/audit.server";
import { systemDb } from "../db/client.server";
import { ForbiddenError, ThrottledError, UnauthorizedError } from "../errors.server";
import { ssoEnforced } from "../sso/providers.server";
import { toUserDto, type UserDto } from "../users/user-dto.server";
import { hashPassword, needsRehash, verifyPassword } from "./password.server";
import { createSession, invalidateSession } from "./session.server";
import { disconnectSessionSockets } from "../realtime/disconnect.server";
import { completeMfaChallenge, createMfaChallenge } from "../mfa/mfa.server";
import { throttledGuess, throttleKeys } from "./throttle.server";
import { edition } from "../edition.server";
import { toOperatorDto, type OperatorDto } from "../platform/operator.server";
import { platformAudit } from "../platform/platform-audit.server";

export interface ClientMeta {
  ip?: string;
  userAgent?: string;
}

export interface Membership {
  orgId: string;
  orgName: string;
  role: Role;
}

export async function userMemberships(userId: string): Promise<Membership[]> {
  return systemDb().$queryRaw<Membership[]>`SELECT "orgId", "orgName", "role"::text AS "role" FROM auth_user_memberships(${userId})`;
}

export type LoginResult =
  | { mfaRequired: false; user: UserDto | OperatorDto; cookie: string; orgId: string | null; operator: boolean }
  | { mfaRequired: true; challenge: string };

export async function roleIn(userId: string, orgId: string): Promise<Role> {
  const m = (await userMemberships(userId)).find((x) => x.orgId === orgId);
  if (!m) throw new UnauthorizedError("You are no longer a member of this organization.");
  return m.role;
}

/** The second login step for MFA users: a TOTP or backup code turns the challenge into a session. */
export function completeMfaLogin(input: { challenge: string; code: string }, meta: ClientMeta) {
  return completeMfaChallenge(input, meta, roleIn);
}

/** SaaS: the platform operator logs in to no organization, even if some membership names them. */
function isOperator(user: { platformAdmin: boolean } | null): boolean {
  return Boolean(user?.platformAdmin) && edition() === "saas";
}

const WRONG = "Wrong e-mail or password.";

export async function login(input: { email: string; password: string }, meta: ClientMeta): Promise<LoginResult> {
  const keys = throttleKeys(input.email, meta.ip);
  const base = { action: "auth.login", actorEmail: input.email, ip: meta.ip, userAgent: meta.userAgent };
  const user = await systemDb().user.findUnique({ where: { email: input.email } });
  const operator = isOperator(user);
  const memberships = user && !operator ? await userMemberships(user.id) : [];
  const orgId = memberships[0]?.orgId ?? null;
  // Who may hold a session: a member of an organization, or the operator (whose session has none).
  const mayLogIn = Boolean(user && (orgId || operator));

  // The password is checked under the throttle: an attempt is taken first (atomically), and a
  // right password gives it back and clears the account's counter.
  let passwordOk: boolean;
  try {
    passwordOk = await throttledGuess(keys, () => verifyPassword(user?.passwordHash, input.password), (ok) => ok && mayLogIn, { clearOnSuccess: keys[0] });
  } catch (error) {
    if (error instanceof ThrottledError) await audit({ ...base, orgId, actorId: user?.id, outcome: "denied", details: { reason: "throttled" } });
    throw error;
  }
  if (!user || !passwordOk || !mayLogIn) {
    await audit({ ...base, orgId, actorId: user?.id, outcome: "failure", details: { reason: user ? "wrong password" : "unknown account" } });
    throw new UnauthorizedError(WRONG);
  }
  if (user.disabled) {
    await audit({ ...base, orgId, actorId: user.id, outcome: "denied", details: { reason: "account disabled" } });
    throw new UnauthorizedError("This account is disabled. Ask an administrator to enable it.");
  }

  // An organization that enforces SSO refuses passwords, except its owner's: the break-glass
  // super_admin always gets in (and the trail says so), so a broken IdP cannot lock everyone out.
  let breakGlass = false;
  if (!operator && orgId && (await ssoEnforced(orgId))) {
    if (memberships[0]!.role !== "super_admin") {
      await audit({ ...base, orgId, actorId: user.id, outcome: "denied", details: { reason: "sso enforced" } });
      throw new ForbiddenError("Your organization signs in through single sign-on. Use its button on the login page.", "sso_required");
    }
    breakGlass = true;
  }

  if (needsRehash(user.passwordHash!)) {
    await systemDb().user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(input.password) } });
  }
  if (user.mfaEnabled) {
    await audit({ ...base, action: "auth.password", orgId, actorId: user.id, outcome: "success", details: { next: "mfa", ...(breakGlass ? { breakGlass } : {}) } });
    return { mfaRequired: true, challenge: await createMfaChallenge(user.id, orgId, meta) };
  }
  const lastLoginAt = new Date();
  await systemDb().user.update({ where: { id: user.id }, data: { lastLoginAt } });
  const { cookie } = await createSession(user.id, orgId, meta);
  if (operator) {
    await platformAudit({ action: "operator.login", actorId: user.id, actorEmail: user.email, ip: meta.ip, userAgent: meta.userAgent });
    return { mfaRequired: false, user: toOperatorDto({ ...user, lastLoginAt }), cookie, orgId: null, operator: true };
  }
  await audit({ ...base, orgId, actorId: user.id, outcome: "success", ...(breakGlass ? { details: { breakGlass } } : {}) });
  return { mfaRequired: false, user: toUserDto({ ...user, lastLoginAt }, memberships[0]!.role), cookie, orgId, operator: false };
}

export async function logout(actor: { sessionId: string; userId: string; email: string; orgId: string }, meta: ClientMeta): Promise<void> {
  await invalidateSession(actor.sessionId);
  await disconnectSessionSockets(actor.sessionId);
  await audit({ orgId: actor.orgId, action: "auth.logout", outcome: "success", actorId: actor.userId, actorEmail: actor.email, ip: meta.ip, userAgent: meta.userAgent });
}

/** The operator's logout: the session ends, and the platform trail records it. */
export async function logoutOperator(operator: { sessionId: string; userId: string; email: string }, meta: ClientMeta): Promise<void> {
  await invalidateSession(operator.sessionId);
  await platformAudit({ action: "operator.logout", actorId: operator.userId, actorEmail: operator.email, ip: meta.ip, userAgent: meta.userAgent });
}
