// Who is asking: resolves the session cookie (or, later, an API token) to an Actor, and the
// helpers that routes call first. Actor = the user, the organization they act in, and their role.
import { redirect, type AppLoadContext } from "@remix-run/node";
import { can, type Permission, type Role } from "~/permissions";
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
  ip?: string;
  userAgent?: string;
}

/** Resolves a session token to an actor, or null when it is unknown, expired or its user left. */
export async function actorFromSessionToken(token: string): Promise<{ actor: Actor; refreshedCookie?: string } | null> {
  const session = await validateSessionToken(token);
  if (!session) return null;
  const membership = await withOrg(session.orgId, (tx) =>
    tx.membership.findFirst({ where: { orgId: session.orgId, userId: session.userId }, select: { role: true } }),
  );
  if (!membership) return null;
  const { refreshedCookie, ...rest } = session;
  return { actor: { ...rest, role: membership.role }, refreshedCookie };
}

const cache = new WeakMap<Request, Promise<Actor | null>>();

/** The actor of this request (memoised per request), refreshing the cookie when lucia extends it. */
export function getActor(request: Request, context: AppLoadContext): Promise<Actor | null> {
  let pending = cache.get(request);
  if (!pending) {
    pending = (async () => {
      const authorization = request.headers.get("authorization");
      if (authorization?.toLowerCase().startsWith("bearer ")) {
        // API tokens arrive with the users issue; until then a bearer credential is never valid.
        return null;
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

/** For pages: anonymous visitors are sent to the login page and brought back afterwards. */
export async function requireUser(request: Request, context: AppLoadContext): Promise<Actor> {
  const actor = await getActor(request, context);
  if (!actor) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(back && back !== "/" ? `/login?redirectTo=${encodeURIComponent(back)}` : "/login");
  }
  return actor;
}

/** For the API: anonymous callers get a 401. */
export async function requireApiActor(request: Request, context: AppLoadContext): Promise<Actor> {
  const actor = await getActor(request, context);
  if (!actor) throw new UnauthorizedError();
  return actor;
}

export function assertPermission(actor: Actor, permission: Permission): void {
  if (!can(actor.role, permission)) throw new ForbiddenError(`Your role (${actor.role}) does not allow ${permission}.`);
}

/** For pages: 403 response rendered by the error boundary. */
export async function requireUserWithPermission(request: Request, context: AppLoadContext, permission: Permission): Promise<Actor> {
  const actor = await requireUser(request, context);
  if (!can(actor.role, permission)) throw new Response("You are not allowed to see this page.", { status: 403 });
  return actor;
}
