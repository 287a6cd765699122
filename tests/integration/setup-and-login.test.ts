// Setup and login as domain verbs against a real Postgres.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setupTestDb, type TestDb } from "../setup/db";
import { completeSetup, setupNeeded } from "~/server/auth/setup.server";
import { login, logout } from "~/server/auth/login.server";
import { actorFromSessionToken } from "~/server/auth/require.server";
import { MAX_FAILURES } from "~/server/auth/throttle.server";
import { ConflictError, ThrottledError, UnauthorizedError } from "~/server/errors.server";

let db: TestDb;
const admin = { email: "admin@example.com", name: "Ada", password: "correct horse battery staple" };
const meta = { ip: "203.0.113.5", userAgent: "vitest", clientIsLocal: true };

beforeAll(async () => {
  db = await setupTestDb();
});
afterAll(async () => {
  await db?.close();
});

function tokenFrom(cookie: string): string {
  return cookie.split(";")[0]!.split("=")[1]!;
}

/** Logs in a user without MFA and returns the session cookie. */
async function loginCookie(input: { email: string; password: string }, m = meta): Promise<string> {
  const result = await login(input, m);
  if (result.mfaRequired) throw new Error("MFA is off for this user");
  return result.cookie;
}

describe("first-run setup", () => {
  test("five concurrent setups create exactly one super admin and one organization", async () => {
    expect(await setupNeeded()).toBe(true);
    const attempts = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => completeSetup({ ...admin, email: `admin${i}@example.com` }, meta)),
    );
    const ok = attempts.filter((a) => a.status === "fulfilled");
    expect(ok).toHaveLength(1);
    for (const a of attempts) if (a.status === "rejected") expect(a.reason).toBeInstanceOf(ConflictError);
    const users = await db.admin.query(`SELECT u.email, m.role FROM "User" u JOIN "Membership" m ON m."userId" = u.id`);
    expect(users.rows).toHaveLength(1);
    expect(users.rows[0].role).toBe("super_admin");
    const orgs = await db.admin.query(`SELECT count(*)::int AS n FROM "Organization"`);
    expect(orgs.rows[0].n).toBe(1);
    expect(await setupNeeded()).toBe(false);
    // rename the winner to the known address for the login tests below
    await db.admin.query(`UPDATE "User" SET email = $1`, [admin.email]);
  });

  test("setup once done answers conflict", async () => {
    await expect(completeSetup({ ...admin, email: "late@example.com" }, meta)).rejects.toBeInstanceOf(ConflictError);
  });
});

describe("login", () => {
  test("the right password logs in, records the time and audits it", async () => {
    const result = await login({ email: admin.email, password: admin.password }, meta);
    if (result.mfaRequired) throw new Error("MFA is off for this user");
    expect(result.user.email).toBe(admin.email);
    expect(result.user.role).toBe("super_admin");
    expect(result.user.lastLoginAt).not.toBeNull();
    expect(result.cookie).toMatch(/^infrapilot_session=[A-Za-z0-9_-]{43};.*HttpOnly.*SameSite=Lax/i);
    const audit = await db.admin.query(`SELECT action, outcome, ip FROM "AuditLog" WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1`);
    expect(audit.rows[0]).toEqual({ action: "auth.login", outcome: "success", ip: meta.ip });
  });

  test("the session table never contains the raw token", async () => {
    const cookie = await loginCookie({ email: admin.email, password: admin.password });
    const token = tokenFrom(cookie);
    const rows = await db.admin.query(`SELECT id FROM "Session"`);
    expect(rows.rows.length).toBeGreaterThan(0);
    const dump = JSON.stringify((await db.admin.query(`SELECT * FROM "Session"`)).rows);
    expect(dump).not.toContain(token);
  });

  test("each login issues a new token", async () => {
    const a = await loginCookie({ email: admin.email, password: admin.password });
    const b = await loginCookie({ email: admin.email, password: admin.password });
    expect(tokenFrom(a)).not.toBe(tokenFrom(b));
  });

  test("a wrong password and an unknown address fail alike and are audited", async () => {
    await expect(login({ email: admin.email, password: "wrong password here" }, { ip: "198.51.100.1" })).rejects.toThrow(new UnauthorizedError("Wrong e-mail or password."));
    await expect(login({ email: "nobody@example.com", password: "wrong password here" }, { ip: "198.51.100.1" })).rejects.toThrow(new UnauthorizedError("Wrong e-mail or password."));
    const audit = await db.admin.query(`SELECT outcome, "orgId" IS NULL AS "systemEvent" FROM "AuditLog" WHERE action = 'auth.login' AND outcome = 'failure' ORDER BY id`);
    expect(audit.rows).toEqual([
      { outcome: "failure", systemEvent: false },
      { outcome: "failure", systemEvent: true },
    ]);
  });

  test("logout ends the session", async () => {
    const cookie = await loginCookie({ email: admin.email, password: admin.password });
    const resolved = await actorFromSessionToken(tokenFrom(cookie));
    expect(resolved?.actor.email).toBe(admin.email);
    await logout(resolved!.actor, meta);
    expect(await actorFromSessionToken(tokenFrom(cookie))).toBeNull();
  });

  test("a disabled account cannot log in and its sessions stop working", async () => {
    const cookie = await loginCookie({ email: admin.email, password: admin.password });
    await db.admin.query(`UPDATE "User" SET disabled = true`);
    try {
      expect(await actorFromSessionToken(tokenFrom(cookie))).toBeNull();
      await expect(login({ email: admin.email, password: admin.password }, meta)).rejects.toThrow(/disabled/);
    } finally {
      await db.admin.query(`UPDATE "User" SET disabled = false`);
    }
  });
});

describe("password hashes", () => {
  test("a hash with weaker parameters than today's is replaced at the next login", async () => {
    const { hash } = await import("@node-rs/argon2");
    const weak = await hash(admin.password, { memoryCost: 4096, timeCost: 1, parallelism: 1, algorithm: 2 });
    await db.admin.query(`UPDATE "User" SET "passwordHash" = $1 WHERE email = $2`, [weak, admin.email]);
    await loginCookie({ email: admin.email, password: admin.password });
    const { rows } = await db.admin.query(`SELECT "passwordHash" FROM "User" WHERE email = $1`, [admin.email]);
    expect(rows[0].passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await loginCookie({ email: admin.email, password: admin.password });
  });
});

describe("login throttling", () => {
  test(`after ${MAX_FAILURES} failures for an account, even the right password is refused for a while`, async () => {
    for (let i = 0; i < MAX_FAILURES; i++) {
      await expect(login({ email: admin.email, password: "not the password" }, { ip: `192.0.2.${i + 1}` })).rejects.toBeInstanceOf(UnauthorizedError);
    }
    const refused = login({ email: admin.email, password: admin.password }, { ip: "192.0.2.200" });
    await expect(refused).rejects.toBeInstanceOf(ThrottledError);
    await expect(refused).rejects.toThrow(/Too many failed attempts. Try again in 15 minutes./);
    await db.admin.query(`DELETE FROM "LoginThrottle"`);
    await expect(login({ email: admin.email, password: admin.password }, meta)).resolves.toBeTruthy();
  });

  test(`after ${MAX_FAILURES} failures from one address, that address is refused for other accounts too`, async () => {
    for (let i = 0; i < MAX_FAILURES; i++) {
      await expect(login({ email: `guess${i}@example.com`, password: "not the password" }, { ip: "192.0.2.99" })).rejects.toBeInstanceOf(UnauthorizedError);
    }
    await expect(login({ email: admin.email, password: admin.password }, { ip: "192.0.2.99" })).rejects.toBeInstanceOf(ThrottledError);
    await expect(login({ email: admin.email, password: admin.password }, { ip: "192.0.2.100" })).resolves.toBeTruthy();
    const audit = await db.admin.query(`SELECT count(*)::int AS n FROM "AuditLog" WHERE details->>'reason' = 'throttled'`);
    expect(audit.rows[0].n).toBeGreaterThanOrEqual(1);
  });
});
