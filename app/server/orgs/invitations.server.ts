// SaaS invitations (docs/decisions/093): by e-mail with a role, single-use, valid 7 days,
// revocable; mailed through SMTP_URL when set, and the link is always returned to the inviter.
// Accepted by the logged-in account with that address, or by a new account for it. A used,
// expired or revoked link answers 410 saying which; Community's invitations (a link that sets a
// pre-created user's password) live in app/server/users/invitations.server.ts.
import { canGrantRole, type Role } from "~/permissions";
import { audit, auditInTx } from "../audit/audit.server";
import { hashPassword, passwordProblem } from "../auth/password.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { createSession } from "../auth/session.server";
import { randomToken, sha256Hex } from "../crypto.server";
import { systemDb, withOrg } from "../db/client.server";
import { requireFeature } from "../edition.server";
import { env } from "../env.server";
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.server";
import { sendSystemMail } from "../mail/system-mail.server";
import { moveSession } from "./org-sessions.server";
import { assertPlanAllows } from "../plans/plan-limits.server";

export const ORG_INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type InvitationState = "pending" | "used" | "expired" | "revoked";

export interface OrgInvitationDto {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  createdAt: string;
  state: InvitationState;
}

/** A link that worked once and no longer does: 410, with which of the three it is. */
export class InvitationGoneError extends AppError {
  constructor(readonly state: Exclude<InvitationState, "pending">) {
    const message = {
      used: "This invitation has been used already. If it was you, log in; otherwise ask for a new invitation.",
      expired: "This invitation expired (links are valid for 7 days). Ask the person who invited you for a new one.",
      revoked: "This invitation was withdrawn by the organization. Ask its admins if you should still join.",
    }[state];
    super(message, 410, `invitation_${state}`);
  }
}

type Row = { id: string; email: string; role: Role; expiresAt: Date; createdAt: Date; usedAt: Date | null; revokedAt: Date | null };

/** Pure: what a link's row says about it now. */
export function invitationState(row: Pick<Row, "usedAt" | "revokedAt" | "expiresAt">, now = new Date()): InvitationState {
  if (row.revokedAt) return "revoked";
  if (row.usedAt) return "used";
  if (row.expiresAt <= now) return "expired";
  return "pending";
}

function toDto(row: Row): OrgInvitationDto {
  return { id: row.id, email: row.email, role: row.role, expiresAt: row.expiresAt.toISOString(), createdAt: row.createdAt.toISOString(), state: invitationState(row) };
}

const SELECT = { id: true, email: true, role: true, expiresAt: true, createdAt: true, usedAt: true, revokedAt: true } as const;

export async function listOrgInvitations(actor: Actor): Promise<{ items: OrgInvitationDto[]; nextCursor: null }> {
  requireFeature("organizations");
  assertPermission(actor, "manage:user");
  // Invitations are found by token hash before a tenant is known, so they are not under RLS: filtered by org here.
  const rows = await systemDb().invitation.findMany({ where: { orgId: actor.orgId, userId: null }, select: SELECT, orderBy: { createdAt: "desc" }, take: 200 });
  return { items: rows.map(toDto), nextCursor: null };
}

export async function createOrgInvitation(actor: Actor, input: { email: string; role: Role }): Promise<{ invitation: OrgInvitationDto; url: string; mailed: boolean }> {
  requireFeature("organizations");
  assertPermission(actor, "manage:user");
  if (!canGrantRole(actor.role, input.role)) throw new ForbiddenError(`Your role (${actor.role}) cannot invite a ${input.role}.`);
  const org = await withOrg(actor.orgId, async (tx) => ({
    org: await tx.organization.findUnique({ where: { id: actor.orgId }, select: { name: true } }),
    member: await tx.membership.findFirst({ where: { orgId: actor.orgId, user: { email: input.email } }, select: { id: true } }),
  }));
  if (!org.org) throw new NotFoundError("This organization no longer exists.");
  if (org.member) throw new ConflictError(`${input.email} is already a member of ${org.org.name}.`, "already_member");
  // Checked again when the link is accepted: the seat is taken then, not now (decision 095).
  await assertPlanAllows(actor.orgId, "members");
  const token = randomToken(32);
  const expiresAt = new Date(Date.now() + ORG_INVITATION_TTL_MS);
  const row = await withOrg(actor.orgId, async (tx) => {
    // One pending link per address: a new invitation replaces the previous one.
    await tx.invitation.updateMany({ where: { orgId: actor.orgId, userId: null, email: input.email, usedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    return tx.invitation.create({
      data: { orgId: actor.orgId, email: input.email, name: "", role: input.role, tokenHash: sha256Hex(token), expiresAt, createdBy: actor.userId },
      select: SELECT,
    });
  });
  const url = `${env().PUBLIC_URL}/invite/${token}`;
  const mailed = await sendSystemMail({
    to: input.email,
    subject: `${actor.name} invited you to ${org.org.name} on InfraPilot`,
    text: `${actor.name} (${actor.email}) invited you to join the organization "${org.org.name}" on InfraPilot as ${input.role.replace("_", " ")}.\n\nAccept the invitation:\n${url}\n\nThe link works once and expires on ${expiresAt.toUTCString()}. If you did not expect this, ignore this e-mail.\n`,
  });
  await audit({ orgId: actor.orgId, action: "invitation.create", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "invitation", targetId: row.id, ip: actor.ip, details: { email: input.email, role: input.role, mailed } });
  return { invitation: toDto(row), url, mailed };
}

export async function revokeOrgInvitation(actor: Actor, id: string): Promise<void> {
  requireFeature("organizations");
  assertPermission(actor, "manage:user");
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError("No such invitation.");
  const revoked = await systemDb().invitation.updateMany({ where: { id, orgId: actor.orgId, userId: null, usedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
  if (revoked.count === 0) {
    const exists = await systemDb().invitation.findFirst({ where: { id, orgId: actor.orgId, userId: null }, select: { id: true } });
    if (!exists) throw new NotFoundError("No such invitation.");
    throw new ConflictError("This invitation was used or withdrawn already.", "invitation_closed");
  }
  await audit({ orgId: actor.orgId, action: "invitation.revoke", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "invitation", targetId: id, ip: actor.ip });
}

export interface InvitationView {
  state: InvitationState;
  email: string;
  role: Role;
  orgName: string;
  /** An account with the invited address exists: it accepts by logging in. */
  accountExists: boolean;
}

async function findByToken(token: string) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const row = await systemDb().invitation.findUnique({ where: { tokenHash: sha256Hex(token) }, select: { ...SELECT, orgId: true, userId: true } });
  return row && row.userId === null ? row : null;
}

/** What the /invite page shows; null for a link that never existed (or belongs to another flow). */
export async function viewOrgInvitation(token: string): Promise<InvitationView | null> {
  const row = await findByToken(token);
  if (!row) return null;
  const orgName = (await withOrg(row.orgId, (tx) => tx.organization.findUnique({ where: { id: row.orgId }, select: { name: true } })))?.name;
  if (!orgName) return null;
  const account = await systemDb().user.findUnique({ where: { email: row.email }, select: { id: true } });
  return { state: invitationState(row), email: row.email, role: row.role, orgName, accountExists: Boolean(account) };
}

export type Acceptor = { kind: "session"; actor: Actor } | { kind: "new"; name: string; password: string; ip?: string; userAgent?: string };

/**
 * Accepts a link: as the logged-in account (its address must be the invited one) or as a new
 * account for the invited address. Claimed atomically (single use); the session ends up in the
 * organization joined. Returns a cookie for a new account.
 */
export async function acceptOrgInvitation(token: string, who: Acceptor): Promise<{ org: { id: string; name: string; slug: string; role: Role }; cookie?: string }> {
  requireFeature("organizations");
  const row = await findByToken(token);
  if (!row) throw new NotFoundError("This invitation link is not valid. Check that it was copied completely.");
  const state = invitationState(row);
  if (state !== "pending") throw new InvitationGoneError(state);
  let userId: string;
  let passwordHash: string | null = null;
  if (who.kind === "session") {
    if (who.actor.scope !== undefined) throw new ForbiddenError("Accept invitations in the web interface, not with an API token.", "session_required");
    if (who.actor.email.toLowerCase() !== row.email.toLowerCase()) {
      throw new ForbiddenError(`This invitation was sent to ${row.email}, and you are logged in as ${who.actor.email}. Log out and open the link again, or ask for an invitation to your address.`, "wrong_account");
    }
    userId = who.actor.userId;
  } else {
    if (await systemDb().user.findUnique({ where: { email: row.email }, select: { id: true } })) {
      throw new ConflictError(`An account for ${row.email} exists already. Log in to accept the invitation.`, "account_exists");
    }
    const problem = passwordProblem(who.password, { email: row.email, name: who.name });
    if (problem) throw new ValidationError("Choose a stronger password.", { password: problem });
    passwordHash = await hashPassword(who.password);
    userId = "";
  }
  const joined = await withOrg(row.orgId, async (tx) => {
    const claimed = await tx.invitation.updateMany({ where: { id: row.id, usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } }, data: { usedAt: new Date() } });
    if (claimed.count !== 1) throw new InvitationGoneError("used");
    if (passwordHash) userId = (await tx.user.create({ data: { email: row.email, name: (who as { name: string }).name, passwordHash, lastLoginAt: new Date() }, select: { id: true } })).id;
    await assertPlanAllows(row.orgId, "members", tx);
    if (await tx.membership.findFirst({ where: { orgId: row.orgId, userId }, select: { id: true } })) {
      throw new ConflictError("You are a member of this organization already.", "already_member");
    }
    await tx.membership.create({ data: { orgId: row.orgId, userId, role: row.role } });
    await auditInTx(tx, { orgId: row.orgId, action: "invitation.accept", outcome: "success", actorId: userId, actorEmail: row.email, targetType: "invitation", targetId: row.id, details: { role: row.role, newAccount: Boolean(passwordHash) } });
    return tx.organization.findUniqueOrThrow({ where: { id: row.orgId }, select: { id: true, name: true, slug: true } });
  });
  const org = { ...joined, role: row.role };
  if (who.kind === "session") {
    await moveSession(who.actor.sessionId, org.id);
    return { org };
  }
  const { cookie } = await createSession(userId, org.id, { ip: who.ip, userAgent: who.userAgent });
  return { org, cookie };
}
