// Guess throttles under concurrency, on the real domain functions and a real Postgres: 50 guesses
// fired at once must get exactly the attempts 50 serial guesses would (MAX_FAILURES per account,
// the challenge's own five), and new backup codes are throttled like every other code check.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { generate } from "otplib";
import { setupTestDb, type TestDb } from "../setup/db";
import { completeSetup } from "~/server/auth/setup.server";
import { completeMfaLogin, login } from "~/server/auth/login.server";
import { actorFromSessionToken, type Actor } from "~/server/auth/require.server";
import { MAX_FAILURES } from "~/server/auth/throttle.server";
import { beginMfaSetup, createMfaChallenge, enableMfa, regenerateBackupCodes } from "~/server/mfa/mfa.server";
import { createUser } from "~/server/users/users.server";
import { ThrottledError, UnauthorizedError, ValidationError } from "~/server/errors.server";

const PARALLEL = 50;
let db: TestDb;
const user = { email: "guessed@example.com", name: "G", password: "correct horse battery staple" };
let secret: string;
let actor: Actor;

beforeAll(async () => {
  db = await setupTestDb();
  await completeSetup(user, { clientIsLocal: true });
  const first = await login(user, {});
  if (first.mfaRequired) throw new Error("MFA is not on yet");
  actor = (await actorFromSessionToken(first.cookie.split(";")[0]!.split("=")[1]!))!.actor;
  secret = (await beginMfaSetup(actor)).secret;
  await enableMfa(actor, await generate({ secret, epoch: Math.floor(Date.now() / 1000) - 30 }));
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  await db.admin.query(`DELETE FROM "LoginThrottle"`);
});

async function auditCount(action: string, outcome: string): Promise<number> {
  const { rows } = await db.admin.query(`SELECT count(*)::int AS n FROM "AuditLog" WHERE action = $1 AND outcome = $2`, [action, outcome]);
  return rows[0].n;
}

/** Six-digit codes that are surely wrong: none is valid in the current ±1 time steps. */
async function wrongCodes(n: number, forSecret = secret): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  const valid = new Set(await Promise.all([-60, -30, 0, 30, 60].map((d) => generate({ secret: forSecret, epoch: now + d }))));
  const codes: string[] = [];
  for (let i = 0; codes.length < n; i++) {
    const code = String(100000 + i * 7919);
    if (!valid.has(code)) codes.push(code);
  }
  return codes;
}

function outcomes(results: PromiseSettledResult<unknown>[]) {
  const reasons = results.map((r) => (r.status === "rejected" ? r.reason : null));
  return {
    fulfilled: results.filter((r) => r.status === "fulfilled").length,
    throttled: reasons.filter((e) => e instanceof ThrottledError).length,
    wrong: reasons.filter((e) => e instanceof UnauthorizedError || e instanceof ValidationError).length,
    other: reasons.filter((e) => e && !(e instanceof ThrottledError || e instanceof UnauthorizedError || e instanceof ValidationError)),
  };
}

describe("parallel guesses get no more tries than serial ones", () => {
  test(`refuses all but ${MAX_FAILURES} of ${PARALLEL} parallel wrong passwords with 429`, async () => {
    const before = await auditCount("auth.login", "failure");
    const results = await Promise.allSettled(Array.from({ length: PARALLEL }, (_, i) => login({ email: user.email, password: `wrong guess ${i}` }, { ip: `198.51.100.${i + 1}` })));
    const o = outcomes(results);
    expect(o.other).toEqual([]);
    expect(o.wrong).toBe(MAX_FAILURES);
    expect(o.throttled).toBe(PARALLEL - MAX_FAILURES);
    // Evaluated guesses are audited as failures; refused ones never reached the password check.
    expect((await auditCount("auth.login", "failure")) - before).toBe(MAX_FAILURES);
    await expect(login(user, { ip: "198.51.100.200" })).rejects.toBeInstanceOf(ThrottledError);
  });

  test(`refuses all but ${MAX_FAILURES} of ${PARALLEL} parallel wrong passwords from one address with 429`, async () => {
    const before = await auditCount("auth.login", "failure");
    const results = await Promise.allSettled(Array.from({ length: PARALLEL }, (_, i) => login({ email: `nobody${i}@example.com`, password: "wrong guess" }, { ip: "198.51.100.77" })));
    const o = outcomes(results);
    expect(o.other).toEqual([]);
    expect(o.wrong).toBe(MAX_FAILURES);
    expect(o.throttled).toBe(PARALLEL - MAX_FAILURES);
    expect((await auditCount("auth.login", "failure")) - before).toBe(MAX_FAILURES);
  });

  test(`refuses all but ${MAX_FAILURES} of ${PARALLEL} parallel wrong MFA codes (one challenge each) with 429`, async () => {
    const challenges = await Promise.all(Array.from({ length: PARALLEL }, () => createMfaChallenge(actor.userId, actor.orgId, {})));
    const codes = await wrongCodes(PARALLEL);
    const before = await auditCount("auth.mfa", "failure");
    const results = await Promise.allSettled(challenges.map((challenge, i) => completeMfaLogin({ challenge, code: codes[i]! }, {})));
    const o = outcomes(results);
    expect(o.other).toEqual([]);
    expect(o.wrong).toBe(MAX_FAILURES);
    expect(o.throttled).toBe(PARALLEL - MAX_FAILURES);
    expect((await auditCount("auth.mfa", "failure")) - before).toBe(MAX_FAILURES);
    // The block holds for the right code too.
    const fresh = await createMfaChallenge(actor.userId, actor.orgId, {});
    await expect(completeMfaLogin({ challenge: fresh, code: await generate({ secret }) }, {})).rejects.toBeInstanceOf(ThrottledError);
  });

  test(`refuses all but the challenge's 5 of ${PARALLEL} parallel wrong codes on one challenge`, async () => {
    const challenge = await createMfaChallenge(actor.userId, actor.orgId, {});
    const codes = await wrongCodes(PARALLEL);
    const before = await auditCount("auth.mfa", "failure");
    const results = await Promise.allSettled(codes.map((code) => completeMfaLogin({ challenge, code }, {})));
    const o = outcomes(results);
    expect(o.other).toEqual([]);
    expect(o.fulfilled).toBe(0);
    expect((await auditCount("auth.mfa", "failure")) - before).toBe(5);
    const expired = results.filter((r) => r.status === "rejected" && /expired/.test(String((r.reason as Error).message)));
    expect(expired).toHaveLength(PARALLEL - 5);
  });
});

describe("new backup codes", () => {
  test(`refuses new backup codes after ${MAX_FAILURES} wrong codes, even for the right code (429)`, async () => {
    const codes = await wrongCodes(PARALLEL);
    const before = await auditCount("mfa.backup_codes.regenerate", "failure");
    const results = await Promise.allSettled(codes.map((code) => regenerateBackupCodes(actor, code)));
    const o = outcomes(results);
    expect(o.other).toEqual([]);
    expect(o.wrong).toBe(MAX_FAILURES);
    expect(o.throttled).toBe(PARALLEL - MAX_FAILURES);
    expect((await auditCount("mfa.backup_codes.regenerate", "failure")) - before).toBe(MAX_FAILURES);
    await expect(regenerateBackupCodes(actor, await generate({ secret }))).rejects.toBeInstanceOf(ThrottledError);
  });

  test("a right code still gets new backup codes once the block is over", async () => {
    await db.admin.query(`DELETE FROM "LoginThrottle"`);
    // Enabling used the previous time step; the refused right codes above were never checked.
    const { backupCodes } = await regenerateBackupCodes(actor, await generate({ secret }));
    expect(backupCodes).toHaveLength(10);
  });
});

describe("turning MFA on", () => {
  test(`refuses all but ${MAX_FAILURES} of ${PARALLEL} parallel wrong confirmation codes with 429`, async () => {
    const enrolling = { email: "enrolling@example.com", name: "E", password: "another correct horse battery" };
    await createUser(actor, { ...enrolling, role: "viewer" });
    const first = await login(enrolling, {});
    if (first.mfaRequired) throw new Error("MFA is not on yet");
    const theirs = (await actorFromSessionToken(first.cookie.split(";")[0]!.split("=")[1]!))!.actor;
    const theirSecret = (await beginMfaSetup(theirs)).secret;
    const results = await Promise.allSettled((await wrongCodes(PARALLEL, theirSecret)).map((code) => enableMfa(theirs, code)));
    const o = outcomes(results);
    expect(o.other).toEqual([]);
    expect(o.wrong).toBe(MAX_FAILURES);
    expect(o.throttled).toBe(PARALLEL - MAX_FAILURES);
    await expect(enableMfa(theirs, await generate({ secret: theirSecret }))).rejects.toBeInstanceOf(ThrottledError);
  });
});
