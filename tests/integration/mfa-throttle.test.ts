// Guessing second-factor codes is throttled per account, across login attempts.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generate } from "otplib";
import { setupTestDb, type TestDb } from "../setup/db";
import { completeSetup } from "~/server/auth/setup.server";
import { completeMfaLogin, login } from "~/server/auth/login.server";
import { beginMfaSetup, enableMfa } from "~/server/mfa/mfa.server";
import { actorFromSessionToken } from "~/server/auth/require.server";
import { ThrottledError, UnauthorizedError } from "~/server/errors.server";
import { MAX_FAILURES } from "~/server/auth/throttle.server";

let db: TestDb;
const user = { email: "mfa@example.com", name: "M", password: "correct horse battery staple" };
let secret: string;

async function challenge(): Promise<string> {
  const r = await login(user, { ip: "203.0.113.7" });
  if (!r.mfaRequired) throw new Error("expected an MFA challenge");
  return r.challenge;
}

beforeAll(async () => {
  db = await setupTestDb();
  await completeSetup(user, { clientIsLocal: true });
  const first = await login(user, {});
  if (first.mfaRequired) throw new Error("MFA is not on yet");
  const { actor } = (await actorFromSessionToken(first.cookie.split(";")[0]!.split("=")[1]!))!;
  secret = (await beginMfaSetup(actor)).secret;
  await enableMfa(actor, await generate({ secret, epoch: Math.floor(Date.now() / 1000) - 30 }));
});
afterAll(async () => {
  await db?.close();
});

describe("second-factor throttling", () => {
  test(`after ${MAX_FAILURES} wrong codes, even the right code is refused for a while`, async () => {
    for (let i = 0; i < MAX_FAILURES; i++) {
      // a fresh challenge every few guesses: the limit is the account's, not the challenge's
      const c = await challenge();
      await expect(completeMfaLogin({ challenge: c, code: String(100000 + i) }, {})).rejects.toBeInstanceOf(UnauthorizedError);
    }
    const c = await challenge();
    const right = await generate({ secret });
    await expect(completeMfaLogin({ challenge: c, code: right }, {})).rejects.toBeInstanceOf(ThrottledError);
    const { rows } = await db.admin.query(`SELECT count(*)::int AS n FROM "AuditLog" WHERE action = 'auth.mfa' AND outcome = 'failure'`);
    expect(rows[0].n).toBe(MAX_FAILURES);
  });
});
