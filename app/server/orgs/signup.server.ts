// SaaS sign-up: a new account and its first organization in one transaction, then a session in
// it. Only when SIGNUP=open. E-mail addresses are unique across the service (User.email); the
// password policy is Community's; attempts are throttled per client address like logins.
import { randomUUID } from "node:crypto";
import { auditInTx } from "../audit/audit.server";
import { hashPassword, passwordProblem } from "../auth/password.server";
import { createSession } from "../auth/session.server";
import { takeAttempt } from "../auth/throttle.server";
import { systemDb, withOrg } from "../db/client.server";
import { requireFeature } from "../edition.server";
import { env } from "../env.server";
import { ConflictError, ForbiddenError, ValidationError } from "../errors.server";
import { toUserDto, type UserDto } from "../users/user-dto.server";
import { insertOrg } from "./orgs.server";

export function signupOpen(): boolean {
  return env().SIGNUP === "open";
}

export interface SignupInput {
  email: string;
  name: string;
  password: string;
  orgName: string;
}

export const EMAIL_TAKEN = "An account with this e-mail address exists already. Log in instead, then create the organization from the organization menu.";

export async function signup(
  input: SignupInput,
  meta: { ip?: string; userAgent?: string },
): Promise<{ user: UserDto; org: { id: string; name: string; slug: string; plan: string }; cookie: string }> {
  requireFeature("organizations");
  if (!signupOpen()) throw new ForbiddenError("Sign-up is closed on this service. Ask an organization's admin for an invitation.", "signup_closed");
  // Every attempt counts against the address (10 per 15 minutes), successful ones included.
  if (meta.ip) await takeAttempt([`signup:ip:${meta.ip}`]);
  const problem = passwordProblem(input.password, input);
  if (problem) throw new ValidationError("Choose a stronger password.", { password: problem });
  if (await systemDb().user.findUnique({ where: { email: input.email }, select: { id: true } })) {
    throw new ConflictError(EMAIL_TAKEN, "email_taken");
  }
  const passwordHash = await hashPassword(input.password);
  const orgId = randomUUID();
  const created = await withOrg(orgId, async (tx) => {
      const user = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash, lastLoginAt: new Date() } });
      const org = await insertOrg(tx, { id: orgId, name: input.orgName, ownerId: user.id });
      await auditInTx(tx, { orgId: org.id, action: "auth.signup", outcome: "success", actorId: user.id, actorEmail: user.email, targetType: "organization", targetId: org.id, ip: meta.ip, userAgent: meta.userAgent, details: { name: org.name, slug: org.slug } });
      return { user, org };
    })
    .catch((error: unknown) => {
      // Two sign-ups for one address at once: the unique index lets one through.
      if ((error as { code?: string }).code === "P2002") throw new ConflictError(EMAIL_TAKEN, "email_taken");
      throw error;
    });
  const { cookie } = await createSession(created.user.id, created.org.id, meta);
  const { id, name, slug, plan } = created.org;
  return { user: toUserDto(created.user, "super_admin"), org: { id, name, slug, plan }, cookie };
}
