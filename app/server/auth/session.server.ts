// Login sessions through lucia v3 with a small Prisma adapter of our own. The cookie holds a
// random token; the database holds only its SHA-256 (the lucia session id), so a leaked session
// table cannot be replayed. Sliding expiry (lucia extends a session past half its life) plus an
// absolute lifetime checked here.
import { Lucia, TimeSpan, type Adapter, type DatabaseSession, type DatabaseUser } from "lucia";
import { parse as parseCookies } from "cookie";
import { randomToken, sha256Hex } from "../crypto.server";
import { systemDb } from "../db/client.server";
import { env } from "../env.server";
import { singleton } from "../singleton.server";

export const SESSION_COOKIE = "infrapilot_session";
export const SESSION_IDLE = new TimeSpan(7, "d");
export const SESSION_ABSOLUTE_MS = 30 * 24 * 60 * 60 * 1000;

interface SessionAttributes {
  /** Null only for the SaaS platform operator, who acts in no organization (decision 096). */
  orgId: string | null;
  absoluteExpiresAt: Date;
  lastSeenAt?: Date;
  ip?: string | null;
  userAgent?: string | null;
}
interface UserAttributes {
  email: string;
  name: string;
  disabled: boolean;
  mfaEnabled: boolean;
  mustChangePassword: boolean;
  platformAdmin: boolean;
}

declare module "lucia" {
  interface Register {
    Lucia: Lucia<SessionAttributes, UserAttributes>;
    DatabaseSessionAttributes: SessionAttributes;
    DatabaseUserAttributes: UserAttributes;
  }
}

const userSelect = { id: true, email: true, name: true, disabled: true, mfaEnabled: true, mustChangePassword: true, platformAdmin: true } as const;

const prismaAdapter: Adapter = {
  async getSessionAndUser(sessionId) {
    const row = await systemDb().session.findUnique({ where: { id: sessionId }, include: { user: { select: userSelect } } });
    if (!row) return [null, null];
    const session: DatabaseSession = {
      id: row.id,
      userId: row.userId,
      expiresAt: row.expiresAt,
      attributes: { orgId: row.orgId, absoluteExpiresAt: row.absoluteExpiresAt, lastSeenAt: row.lastSeenAt, ip: row.ip, userAgent: row.userAgent },
    };
    const { id, ...attributes } = row.user;
    const user: DatabaseUser = { id, attributes };
    return [session, user];
  },
  async getUserSessions(userId) {
    const rows = await systemDb().session.findMany({ where: { userId } });
    return rows.map((r) => ({
      id: r.id,
      userId: r.userId,
      expiresAt: r.expiresAt,
      attributes: { orgId: r.orgId, absoluteExpiresAt: r.absoluteExpiresAt, ip: r.ip, userAgent: r.userAgent },
    }));
  },
  async setSession(session) {
    const a = session.attributes;
    await systemDb().session.create({
      data: { id: session.id, userId: session.userId, expiresAt: session.expiresAt, orgId: a.orgId, absoluteExpiresAt: a.absoluteExpiresAt, ip: a.ip, userAgent: a.userAgent },
    });
  },
  async updateSessionExpiration(sessionId, expiresAt) {
    await systemDb().session.updateMany({ where: { id: sessionId }, data: { expiresAt } });
  },
  async deleteSession(sessionId) {
    await systemDb().session.deleteMany({ where: { id: sessionId } });
  },
  async deleteUserSessions(userId) {
    await systemDb().session.deleteMany({ where: { userId } });
  },
  async deleteExpiredSessions() {
    const now = new Date();
    await systemDb().session.deleteMany({ where: { OR: [{ expiresAt: { lte: now } }, { absoluteExpiresAt: { lte: now } }] } });
  },
};

function lucia() {
  return singleton(
    "lucia",
    () =>
      new Lucia<SessionAttributes, UserAttributes>(prismaAdapter, {
        sessionExpiresIn: SESSION_IDLE,
        sessionCookie: { name: SESSION_COOKIE, expires: true, attributes: { sameSite: "lax", secure: env().secureCookies, path: "/" } },
        getSessionAttributes: (a) => a,
        getUserAttributes: (a) => a,
      }),
  );
}

export interface ValidSession {
  sessionId: string;
  userId: string;
  /** Null for the platform operator's session: no tenant code may serve it (actorFromSessionToken). */
  orgId: string | null;
  email: string;
  name: string;
  mfaEnabled: boolean;
  mustChangePassword: boolean;
  platformAdmin: boolean;
  /** Set when lucia extended the session: send this cookie back. */
  refreshedCookie?: string;
}

export function readSessionToken(cookieHeader: string | null | undefined): string | null {
  if (!cookieHeader) return null;
  const token = parseCookies(cookieHeader)[SESSION_COOKIE];
  return token && /^[A-Za-z0-9_-]{20,100}$/.test(token) ? token : null;
}

export async function createSession(userId: string, orgId: string | null, meta: { ip?: string; userAgent?: string }) {
  const token = randomToken(32);
  await lucia().createSession(
    userId,
    { orgId, absoluteExpiresAt: new Date(Date.now() + SESSION_ABSOLUTE_MS), ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null },
    { sessionId: sha256Hex(token) },
  );
  return { token, cookie: lucia().createSessionCookie(token).serialize() };
}

export async function validateSessionToken(token: string): Promise<ValidSession | null> {
  const sessionId = sha256Hex(token);
  const { session, user } = await lucia().validateSession(sessionId);
  if (!session || !user) return null;
  if (user.disabled || session.absoluteExpiresAt.getTime() <= Date.now()) {
    await lucia().invalidateSession(sessionId);
    return null;
  }
  // "Last seen" for the sessions list, written at most once a minute per session.
  if (!session.lastSeenAt || Date.now() - session.lastSeenAt.getTime() > 60_000) {
    await systemDb().session.updateMany({ where: { id: sessionId }, data: { lastSeenAt: new Date() } });
  }
  return {
    sessionId,
    userId: user.id,
    orgId: session.orgId,
    email: user.email,
    name: user.name,
    mfaEnabled: user.mfaEnabled,
    mustChangePassword: user.mustChangePassword,
    platformAdmin: user.platformAdmin,
    refreshedCookie: session.fresh ? lucia().createSessionCookie(token).serialize() : undefined,
  };
}

export async function invalidateSession(sessionId: string): Promise<void> {
  await lucia().invalidateSession(sessionId);
}

export async function invalidateUserSessions(userId: string): Promise<void> {
  await lucia().invalidateUserSessions(userId);
}

/** Ends the user's sessions acting in one organization only (a role change there is not another organization's business). */
export async function invalidateUserSessionsIn(userId: string, orgId: string): Promise<void> {
  await systemDb().session.deleteMany({ where: { userId, orgId } });
}

export async function deleteExpiredSessions(): Promise<void> {
  await lucia().deleteExpiredSessions();
}

export function blankSessionCookie(): string {
  return lucia().createBlankSessionCookie().serialize();
}
