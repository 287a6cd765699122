// The end of every SSO login, whatever the protocol: the IdP has vouched for a subject; find or
// provision the account, apply the group → role mapping, and finish like a password login
// (session cookie, or InfraPilot's TOTP step). Rules (docs/decisions/150-sso.md):
// - a subject seen before is matched by (provider, subject) only;
// - a new subject is linked to an existing account only by a *verified* e-mail and only when that
//   account is already a member of this organization; otherwise JIT (when on) creates one;
// - the role is re-applied at every login (never touching a super_admin), and a demotion ends the
//   member's other sessions at once;
// - TOTP is asked for when the user has it and the IdP did not assert MFA (`amr`).
import type { Role } from "~/permissions";
import { audit, auditInTx } from "../audit/audit.server";
import type { ClientMeta, LoginResult } from "../auth/login.server";
import { createSession } from "../auth/session.server";
import { withOrg } from "../db/client.server";
import { UnauthorizedError } from "../errors.server";
import { createMfaChallenge } from "../mfa/mfa.server";
import { endMemberSessions } from "../orgs/org-sessions.server";
import { toUserDto } from "../users/user-dto.server";
import type { SsoProviderFull } from "./providers.server";
import { idpAssertedMfa, isDemotion, nextRole, roleFromGroups } from "./role-mapping";

export interface AssertedIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  groups: string[];
  amr: string[];
}

/** A refused SSO login: the message is shown to the person; `reason` goes to the audit trail. */
export class SsoDeniedError extends UnauthorizedError {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message, "sso_denied");
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface Resolved {
  user: { id: string; email: string; name: string; mfaEnabled: boolean; disabled: boolean; createdAt: Date; lastLoginAt: Date | null };
  role: Role;
  previousRole: Role | null;
  how: "known" | "linked" | "provisioned";
}

async function resolveAccount(p: SsoProviderFull, who: AssertedIdentity): Promise<Resolved> {
  const mapped = roleFromGroups(p.groupRoleMap, who.groups, p.defaultRole);
  return withOrg(p.orgId, async (tx) => {
    const userSelect = { id: true, email: true, name: true, mfaEnabled: true, disabled: true, createdAt: true, lastLoginAt: true } as const;
    let how: Resolved["how"] = "known";
    let user: Resolved["user"] | null = null;
    const identity = await tx.ssoIdentity.findUnique({ where: { providerId_subject: { providerId: p.id, subject: who.subject } }, select: { userId: true } });
    if (identity) user = await tx.user.findUnique({ where: { id: identity.userId }, select: userSelect });

    if (!user) {
      if (!who.email || !EMAIL.test(who.email)) throw new SsoDeniedError("Your identity provider did not send an e-mail address.", "no email");
      const existing = await tx.user.findUnique({ where: { email: who.email }, select: { ...userSelect, platformAdmin: true } });
      if (existing) {
        if (!who.emailVerified) throw new SsoDeniedError("Your identity provider has not verified your e-mail address, so it cannot be linked to your account.", "email not verified");
        const member = await tx.membership.findFirst({ where: { orgId: p.orgId, userId: existing.id }, select: { id: true } });
        if (!member || existing.platformAdmin) throw new SsoDeniedError("There is no account for you in this organization. Ask an administrator to invite you.", "account outside the organization");
        user = existing;
        how = "linked";
      } else {
        if (!p.jit) throw new SsoDeniedError("There is no account for you here yet. Ask an administrator to create one.", "no account (JIT off)");
        if (!who.emailVerified) throw new SsoDeniedError("Your identity provider has not verified your e-mail address.", "email not verified");
        user = await tx.user.create({ data: { email: who.email, name: (who.name ?? who.email).slice(0, 100) }, select: userSelect });
        await tx.membership.create({ data: { orgId: p.orgId, userId: user.id, role: mapped } });
        how = "provisioned";
      }
      await tx.ssoIdentity.create({ data: { orgId: p.orgId, providerId: p.id, subject: who.subject, userId: user.id } });
    }

    const membership = await tx.membership.findFirst({ where: { orgId: p.orgId, userId: user.id }, select: { id: true, role: true } });
    if (!membership) throw new SsoDeniedError("You are no longer a member of this organization.", "not a member");
    const role = nextRole(membership.role, mapped);
    if (role !== membership.role) {
      await tx.membership.update({ where: { id: membership.id }, data: { role } });
      await auditInTx(tx, {
        orgId: p.orgId,
        action: "user.role.sso",
        outcome: "success",
        actorId: user.id,
        actorEmail: user.email,
        targetType: "user",
        targetId: user.id,
        details: { providerId: p.id, provider: p.name, from: membership.role, to: role, groups: who.groups.slice(0, 50) },
      });
    }
    await tx.ssoIdentity.update({ where: { providerId_subject: { providerId: p.id, subject: who.subject } }, data: { lastLoginAt: new Date() } });
    return { user, role, previousRole: how === "provisioned" ? null : membership.role, how };
  });
}

/** Audits and rethrows a refused login (a denied login leaves a trace too). */
export async function auditSsoFailure(p: Pick<SsoProviderFull, "id" | "name" | "type" | "orgId">, error: unknown, meta: ClientMeta, who?: { email?: string | null; subject?: string }): Promise<never> {
  const reason = error instanceof SsoDeniedError ? error.reason : error instanceof Error ? error.message.slice(0, 300) : "error";
  await audit({
    orgId: p.orgId,
    action: "auth.sso.login",
    outcome: error instanceof SsoDeniedError ? "denied" : "failure",
    actorEmail: who?.email ?? null,
    targetType: "sso_provider",
    targetId: p.id,
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: { provider: p.name, type: p.type, reason, ...(who?.subject ? { subject: who.subject.slice(0, 300) } : {}) },
  });
  throw error;
}

export async function signInWithSso(p: SsoProviderFull, who: AssertedIdentity, meta: ClientMeta): Promise<LoginResult> {
  let resolved: Resolved;
  try {
    resolved = await resolveAccount(p, who);
    if (resolved.user.disabled) throw new SsoDeniedError("This account is disabled. Ask an administrator to enable it.", "account disabled");
  } catch (error) {
    return auditSsoFailure(p, error, meta, who);
  }
  const { user, role, previousRole, how } = resolved;
  // A demotion cuts the member's open sessions (made with the old role) before the new one starts.
  if (previousRole && isDemotion(previousRole, role)) await endMemberSessions(p.orgId, user.id);
  const base = { orgId: p.orgId, action: "auth.sso.login", actorId: user.id, actorEmail: user.email, targetType: "sso_provider", targetId: p.id, ip: meta.ip, userAgent: meta.userAgent };
  const details = { provider: p.name, type: p.type, subject: who.subject.slice(0, 300), account: how, role, groups: who.groups.slice(0, 50), idpMfa: idpAssertedMfa(who.amr) };
  if (user.mfaEnabled && !idpAssertedMfa(who.amr)) {
    await audit({ ...base, outcome: "success", details: { ...details, next: "mfa" } });
    return { mfaRequired: true, challenge: await createMfaChallenge(user.id, p.orgId, meta) };
  }
  const lastLoginAt = new Date();
  await withOrg(p.orgId, (tx) => tx.user.update({ where: { id: user.id }, data: { lastLoginAt } }));
  const { cookie } = await createSession(user.id, p.orgId, meta);
  await audit({ ...base, outcome: "success", details });
  return { mfaRequired: false, user: toUserDto({ ...user, lastLoginAt }, role), cookie, orgId: p.orgId, operator: false };
}
