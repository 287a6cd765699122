// Personal API tokens: shown once, stored as SHA-256, scoped (never beyond the owner's role),
// expiring, revocable, with the last use recorded.
import { audit } from "../audit/audit.server";
import { assertInteractiveSession, type Actor } from "../auth/require.server";
import { randomToken, sha256Hex } from "../crypto.server";
import { systemDb, withOrg } from "../db/client.server";
import { NotFoundError, ValidationError } from "../errors.server";
import { scopeWithin, type TokenScope } from "~/permissions";

export const TOKEN_PREFIX = "ipt_";

export interface TokenDto {
  id: string;
  name: string;
  scope: TokenScope;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

function toDto(t: { id: string; name: string; scope: string; expiresAt: Date | null; lastUsedAt: Date | null; createdAt: Date }): TokenDto {
  return {
    id: t.id,
    name: t.name,
    scope: t.scope as TokenScope,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
  };
}

export async function listTokens(actor: Actor): Promise<TokenDto[]> {
  const rows = await systemDb().apiToken.findMany({ where: { userId: actor.userId, orgId: actor.orgId }, orderBy: { createdAt: "desc" } });
  return rows.map(toDto);
}

export async function createToken(actor: Actor, input: { name: string; scope: TokenScope; expiresAt?: Date | null }): Promise<{ token: TokenDto; secret: string }> {
  assertInteractiveSession(actor);
  if (!scopeWithin(actor.role, input.scope)) {
    throw new ValidationError("That scope is broader than your role allows.", { scope: `Your role (${actor.role}) cannot hold ${input.scope} tokens.` });
  }
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new ValidationError("The expiry must be in the future.", { expiresAt: "Pick a future date." });
  const secret = TOKEN_PREFIX + randomToken(32);
  const row = await systemDb().apiToken.create({
    data: { orgId: actor.orgId, userId: actor.userId, name: input.name, scope: input.scope, tokenHash: sha256Hex(secret), expiresAt: input.expiresAt ?? null },
  });
  await audit({ orgId: actor.orgId, action: "token.create", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "token", targetId: row.id, ip: actor.ip, details: { name: input.name, scope: input.scope } });
  return { token: toDto(row), secret };
}

export async function revokeToken(actor: Actor, id: string): Promise<void> {
  assertInteractiveSession(actor);
  const deleted = await systemDb().apiToken.deleteMany({ where: { id, userId: actor.userId, orgId: actor.orgId } });
  if (deleted.count === 0) throw new NotFoundError("No such token.");
  await audit({ orgId: actor.orgId, action: "token.revoke", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "token", targetId: id, ip: actor.ip });
}

/** Resolves `Authorization: Bearer ipt_…` to the token's owner, organization, role and scope. */
export async function actorFromApiToken(secret: string): Promise<Actor | null> {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 100) return null;
  const token = await systemDb().apiToken.findUnique({
    where: { tokenHash: sha256Hex(secret) },
    include: { user: { select: { email: true, name: true, disabled: true, mfaEnabled: true, mustChangePassword: true } } },
  });
  if (!token || token.user.disabled || (token.expiresAt && token.expiresAt <= new Date())) return null;
  const [membership, org] = await withOrg(token.orgId, async (tx) => [
    await tx.membership.findFirst({ where: { orgId: token.orgId, userId: token.userId }, select: { role: true } }),
    await tx.organization.findUnique({ where: { id: token.orgId }, select: { suspendedAt: true } }),
  ]);
  if (!membership) return null;
  // Recording every use would write on every request; once a minute is enough to show "last used".
  if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
    await systemDb().apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } });
  }
  return {
    userId: token.userId,
    orgId: token.orgId,
    role: membership.role,
    email: token.user.email,
    name: token.user.name,
    mfaEnabled: token.user.mfaEnabled,
    mustChangePassword: token.user.mustChangePassword,
    sessionId: `token:${token.id}`,
    scope: token.scope as TokenScope,
    orgSuspended: Boolean(org?.suspendedAt),
  };
}
