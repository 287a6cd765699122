// Who is asking: resolves the session cookie (or, later, an API token) to an Actor, and the
// helpers that routes call first. Actor = the user, the organization they act in, and their role.
import { redirect, type AppLoadContext } from "@remix-run/node";
import { hasFeature } from "~/features";
import { can, isReadOnlyPermission, scopeAllows, type Permission, type Role, type TokenScope } from "~/permissions";
import { actorFromApiToken } from "../tokens/tokens.server";
import { withOrg } from "../db/client.server";
import { edition, requireFeature } from "../edition.server";
import { ConflictError, ForbiddenError, OrgSuspendedError, PasswordChangeRequiredError, SessionRequiredError, UnauthorizedError } from "../errors.server";
import { sha256Hex } from "../crypto.server";
import { endedSessionNotice } from "../orgs/org-sessions.server";
import { ORG_HEADER } from "~/validation/orgs";
import { readSessionToken, validateSessionToken, type ValidSession } from "./session.server";

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
  /** An administrator set or reset this user's password: changing it is all they may do. */
  mustChangePassword?: boolean;
  /** SaaS: the platform operator suspended this organization; members may read, nothing else. */
  orgSuspended?: boolean;
  ip?: string;
  userAgent?: string;
}

/** Resolves a session token to an actor, or null when it is unknown, expired or its user left. */
export async function actorFromSessionToken(token: string): Promise<{ actor: Actor; refreshedCookie?: string } | null> {
  const session = await validateSessionToken(token);
  return session ? actorFromValidSession(session) : null;
}

/**
 * A tenant actor from a valid session. The platform operator's session has no organization and
 * so no actor: no tenant route, page or socket can serve it (decision 096).
 */
async function actorFromValidSession(session: ValidSession): Promise<{ actor: Actor; refreshedCookie?: string } | null> {
  const orgId = session.orgId;
  if (!orgId) return null;
  const found = await withOrg(orgId, async (tx) => {
    const membership = await tx.membership.findFirst({ where: { orgId, userId: session.userId }, select: { role: true } });
    if (!membership) return null;
    const requireMfa = await tx.setting.findUnique({ where: { orgId_key: { orgId, key: "security.requireMfa" } }, select: { value: true } });
    const org = await tx.organization.findUnique({ where: { id: orgId }, select: { suspendedAt: true } });
    return { role: membership.role, requireMfa: requireMfa?.value === true, suspended: Boolean(org?.suspendedAt) };
  });
  if (!found) return null;
  const { refreshedCookie, platformAdmin: _platformAdmin, ...rest } = session;
  return {
    actor: { ...rest, orgId, role: found.role, mfaSetupRequired: found.requireMfa && !session.mfaEnabled, mustChangePassword: session.mustChangePassword, orgSuspended: found.suspended },
    refreshedCookie,
  };
}

const sessionCache = new WeakMap<Request, Promise<ValidSession | null>>();

/** The request's session cookie, validated once per request (lucia's refreshed cookie is sent back). */
function requestSession(request: Request, context: AppLoadContext): Promise<ValidSession | null> {
  let pending = sessionCache.get(request);
  if (!pending) {
    pending = (async () => {
      const token = readSessionToken(request.headers.get("cookie"));
      if (!token) return null;
      const session = await validateSessionToken(token);
      if (session?.refreshedCookie) context.responseHeaders.append("Set-Cookie", session.refreshedCookie);
      return session;
    })();
    sessionCache.set(request, pending);
  }
  return pending;
}

const cache = new WeakMap<Request, Promise<Actor | null>>();

// Writes that may come from a tab showing another organization: switching itself, and leaving.
const ORG_CHECK_EXEMPT = new Set(["/api/v1/orgs/switch", "/logout", "/api/v1/auth/logout"]);

/**
 * A second tab never acts on the wrong organization silently (docs/decisions/090): a page's
 * writes carry the organization it was rendered for (header set by app/components/org), and a
 * write for another organization than the session's current one is refused.
 */
export function assertSameOrg(request: Request, actor: Pick<Actor, "orgId" | "scope">): void {
  if (request.method === "GET" || request.method === "HEAD" || actor.scope !== undefined) return;
  const rendered = request.headers.get(ORG_HEADER);
  if (!rendered || rendered === actor.orgId || ORG_CHECK_EXEMPT.has(new URL(request.url).pathname)) return;
  throw new ConflictError(
    "This page belongs to another organization than the one you are in now: you switched organizations in another tab. Reload the page and try again.",
    "org_mismatch",
  );
}

/** A session ended because its organization was deleted: what to tell its holder, or null. */
export async function endedSessionOf(request: Request): Promise<{ reason: string; orgName: string } | null> {
  const token = readSessionToken(request.headers.get("cookie"));
  return token ? endedSessionNotice(sha256Hex(token)) : null;
}

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
      const session = await requestSession(request, context);
      const resolved = session ? await actorFromValidSession(session) : null;
      if (!resolved) return null;
      return { ...resolved.actor, ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined };
    })().then((actor) => {
      if (actor) assertSameOrg(request, actor);
      return actor;
    });
    cache.set(request, pending);
  }
  return pending;
}

/** The SaaS platform operator: a user with platformAdmin whose session belongs to no organization. */
export interface PlatformActor {
  userId: string;
  email: string;
  name: string;
  mfaEnabled: boolean;
  sessionId: string;
  ip?: string;
  userAgent?: string;
}

/** The operator behind this request's session cookie, or null (API tokens never act as the operator). */
export async function getPlatformActor(request: Request, context: AppLoadContext): Promise<PlatformActor | null> {
  if (edition() !== "saas") return null;
  if (request.headers.get("authorization")?.toLowerCase().startsWith("bearer ")) return null;
  const session = await requestSession(request, context);
  if (!session || session.orgId !== null || !session.platformAdmin) return null;
  return {
    userId: session.userId,
    email: session.email,
    name: session.name,
    mfaEnabled: session.mfaEnabled,
    sessionId: session.sessionId,
    ip: context.clientIp,
    userAgent: request.headers.get("user-agent") ?? undefined,
  };
}

/**
 * The MFA enrolment routes: a member with an interactive session, or the platform operator (who
 * secures their own account the same way; decision 096).
 */
export async function requireMfaEnrollee(request: Request, context: AppLoadContext): Promise<Pick<Actor, "userId" | "email" | "ip" | "scope"> & { orgId: string | null }> {
  const operator = await getPlatformActor(request, context);
  if (operator) return { ...operator, orgId: null };
  return requireInteractiveSession(request, context, { allowMfaSetup: true });
}

/** Where the operator lands: the operator console (they have no tenant pages). */
export const OPERATOR_HOME = "/admin";

/**
 * For the operator console's API: 404 in Community (there is no operator), 401 when not logged
 * in, 403 for every tenant user and API token.
 */
export async function requirePlatformAdmin(request: Request, context: AppLoadContext): Promise<PlatformActor> {
  requireFeature("operatorConsole");
  const operator = await getPlatformActor(request, context);
  if (operator) return operator;
  if (await getActor(request, context)) throw new ForbiddenError("Only the platform operator may do this.", "platform_admin_required");
  throw new UnauthorizedError();
}

/** For the operator console's pages: the same rule, with a login redirect and a 403 page. */
export async function requirePlatformAdminPage(request: Request, context: AppLoadContext): Promise<PlatformActor> {
  if (!hasFeature(edition(), "operatorConsole")) throw new Response("Not found", { status: 404 });
  const operator = await getPlatformActor(request, context);
  if (operator) return operator;
  if (await getActor(request, context)) throw new Response("Only the platform operator may see this page.", { status: 403 });
  const url = new URL(request.url);
  throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
}

export const MFA_SETUP_PATH = "/account/security";
/** Where the password form is: the one page a user who must change their password may use. */
export const PASSWORD_CHANGE_PATH = "/account";

interface RequireOptions {
  /** The MFA setup verbs and the pages around them. */
  allowMfaSetup?: boolean;
  /** Changing the password, logging out and reading /me: what a user with an admin-set password may still do. */
  allowPasswordChange?: boolean;
}

/**
 * For pages: anonymous visitors are sent to the login page and brought back afterwards; users
 * with an admin-set password are sent to change it; users whose organization requires MFA are
 * sent to set it up. The password comes first: the MFA pages are not open to such a user.
 */
export async function requireUser(request: Request, context: AppLoadContext, options: RequireOptions = {}): Promise<Actor> {
  const actor = await getActor(request, context);
  const url = new URL(request.url);
  if (!actor) {
    // Their organization was deleted while they were using it: say so, not just "log in".
    if (await endedSessionOf(request)) throw redirect("/organization-deleted");
    // The operator has no tenant pages: every one of them sends them to the console.
    if (await getPlatformActor(request, context)) throw redirect(OPERATOR_HOME);
    const back = url.pathname + url.search;
    throw redirect(back && back !== "/" ? `/login?redirectTo=${encodeURIComponent(back)}` : "/login");
  }
  if (actor.mustChangePassword) {
    // The password page itself (and the layouts around it) must stay reachable.
    if (url.pathname === PASSWORD_CHANGE_PATH || options.allowPasswordChange) return actor;
    throw redirect(`${PASSWORD_CHANGE_PATH}?password=required`);
  }
  // The setup page itself (and the layout around it) must stay reachable.
  if (actor.mfaSetupRequired && !options.allowMfaSetup && url.pathname !== MFA_SETUP_PATH) throw redirect(`${MFA_SETUP_PATH}?required=1`);
  return actor;
}

/**
 * For the API: anonymous callers get a 401; users with an admin-set password may only change it
 * (403 password_change_required); users who must set up MFA may only do that.
 */
export async function requireApiActor(request: Request, context: AppLoadContext, options: RequireOptions = {}): Promise<Actor> {
  const actor = await getActor(request, context);
  if (!actor) {
    const ended = await endedSessionOf(request);
    if (ended) throw new UnauthorizedError(`The organization “${ended.orgName}” was deleted by its owner. Log in again to continue in another organization.`, "org_deleted");
    throw new UnauthorizedError();
  }
  if (actor.mustChangePassword && !options.allowPasswordChange) throw new PasswordChangeRequiredError();
  if (actor.mfaSetupRequired && !options.allowMfaSetup) throw new ForbiddenError("Your organization requires two-factor authentication. Set it up first (POST /api/v1/auth/mfa/setup).");
  return actor;
}

/**
 * The one rule for credential management (password, MFA, backup codes, API tokens, sessions):
 * only a person logged in with a session may do it. An API token of any scope cannot, so a
 * leaked token cannot mint more tokens, lock its owner out or take over the second factor.
 * Domain verbs call it themselves, so a page action or a future caller cannot skip it.
 */
export function assertInteractiveSession(actor: Pick<Actor, "scope">): void {
  if (actor.scope !== undefined) throw new SessionRequiredError();
}

/** For the API routes of those verbs: the same rule, checked before the body is read. */
export async function requireInteractiveSession(request: Request, context: AppLoadContext, options: RequireOptions = {}): Promise<Actor> {
  const actor = await requireApiActor(request, context, options);
  assertInteractiveSession(actor);
  return actor;
}

/** For Socket.IO: an actor who must change their password gets no live data. */
export function assertNoPendingPasswordChange(actor: Actor): void {
  if (actor.mustChangePassword) throw new PasswordChangeRequiredError();
}

export function assertPermission(actor: Actor, permission: Permission): void {
  // A suspended organization may be read, not changed (decision 096): checked before the role,
  // so the answer says why even to a super_admin.
  if (actor.orgSuspended && !isReadOnlyPermission(permission)) throw new OrgSuspendedError();
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
