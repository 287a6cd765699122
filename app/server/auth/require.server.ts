// Who is asking: resolves the session cookie (or, later, an API token) to an Actor, and the
// helpers that routes call first. Actor = the user, the organization they act in, and their role.
import { redirect, type AppLoadContext } from "@remix-run/node";
import { can, scopeAllows, type Permission, type Role, type TokenScope } from "~/permissions";
import { actorFromApiToken } from "../tokens/tokens.server";
import { withOrg } from "../db/client.server";
import { ForbiddenError, UnauthorizedError } from "../errors.server";
import { readSessionToken, validateSessionToken } from "./session.server";

export interface Actor {
  userId: string;
  orgId: string;
  role: Role;
  email: string;
  name: string;
  mfaEnabled: boolean;
  sessionId: string;
  /** Set when the request authenticated with an API token: what that token may do. */
  scope?: TokenScope;
  /** The organization requires MFA and this user has not set it up yet. */
  mfaSetupRequired?: boolean;
  ip?: string;
  userAgent?: string;
}

/** Resolves a session token to an actor, or null when it is unknown, expired or its user left. */
export async function actorFromSessionToken(token: string): Promise<{ actor: Actor; refreshedCookie?: string } | null> {
  const session = await validateSessionToken(token);
  if (!session) return null;
  const found = await withOrg(session.orgId, async (tx) => {
    const membership = await tx.membership.findFirst({ where: { orgId: session.orgId, userId: session.userId }, select: { role: true } });
    const requireMfa = await tx.setting.findUnique({ where: { orgId_key: { orgId: session.orgId, key: "security.requireMfa" } }, select: { value: true } });
    return membership ? { role: membership.role, requireMfa: requireMfa?.value === true } : null;
  });
  if (!found) return null;
  const { refreshedCookie, ...rest } = session;
  return { actor: { ...rest, role: found.role, mfaSetupRequired: found.requireMfa && !session.mfaEnabled }, refreshedCookie };
}

const cache = new WeakMap<Request, Promise<Actor | null>>();

/** The actor of this request (memoised per request), refreshing the cookie when lucia extends it. */
export function getActor(request: Request, context: AppLoadContext): Promise<Actor | null> {
  let pending = cache.get(request);
  if (!pending) {
    pending = (async () => {
      const authorization = request.headers.get("authorization");
      if (authorization?.toLowerCase().startsWith("bearer ")) {
        const actor = await actorFromApiToken(authorization.slice(7).trim());
        return actor ? { ...actor, ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined } : null;
      }
      const token = readSessionToken(request.headers.get("cookie"));
      if (!token) return null;
      const resolved = await actorFromSessionToken(token);
      if (!resolved) return null;
      if (resolved.refreshedCookie) context.responseHeaders.append("Set-Cookie", resolved.refreshedCookie);
      return { ...resolved.actor, ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined };
    })();
    cache.set(request, pending);
  }
  return pending;
}

export const MFA_SETUP_PATH = "/account/security";

/**
 * For pages: anonymous visitors are sent to the login page and brought back afterwards; users
 * whose organization requires MFA are sent to set it up first.
 */
export async function requireUser(request: Request, context: AppLoadContext, options: { allowMfaSetup?: boolean } = {}): Promise<Actor> {
  const actor = await getActor(request, context);
  const url = new URL(request.url);
  if (!actor) {
    const back = url.pathname + url.search;
    throw redirect(back && back !== "/" ? `/login?redirectTo=${encodeURIComponent(back)}` : "/login");
  }
  // The setup page itself (and the layout around it) must stay reachable.
  if (actor.mfaSetupRequired && !options.allowMfaSetup && url.pathname !== MFA_SETUP_PATH) throw redirect(`${MFA_SETUP_PATH}?required=1`);
  return actor;
}

/** For the API: anonymous callers get a 401; users who must set up MFA may only do that. */
export async function requireApiActor(request: Request, context: AppLoadContext, options: { allowMfaSetup?: boolean } = {}): Promise<Actor> {
  const actor = await getActor(request, context);
  if (!actor) throw new UnauthorizedError();
  if (actor.mfaSetupRequired && !options.allowMfaSetup) throw new ForbiddenError("Your organization requires two-factor authentication. Set it up first (POST /api/v1/auth/mfa/setup).");
  return actor;
}

export function assertPermission(actor: Actor, permission: Permission): void {
  if (!can(actor.role, permission)) throw new ForbiddenError(`Your role (${actor.role}) does not allow ${permission}.`);
  if (!scopeAllows(actor.scope, permission)) throw new ForbiddenError(`This API token's scope (${actor.scope}) does not allow ${permission}.`);
}

/** For the API: authenticate, then check one permission. */
export async function requireApiPermission(request: Request, context: AppLoadContext, permission: Permission): Promise<Actor> {
  const actor = await requireApiActor(request, context);
  assertPermission(actor, permission);
  return actor;
}

/** For pages: 403 response rendered by the error boundary. */
export async function requireUserWithPermission(request: Request, context: AppLoadContext, permission: Permission): Promise<Actor> {
  const actor = await requireUser(request, context);
  if (!can(actor.role, permission)) throw new Response("You are not allowed to see this page.", { status: 403 });
  return actor;
}
