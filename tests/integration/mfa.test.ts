// TOTP MFA through the API against the real server: enrolment with codes the test computes,
// login with the second step, replay refusal, single-use backup codes, throttling.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generate } from "otplib";
import { ADMIN, Client, setUpServer, startServer, type TestServer } from "../setup/server";

let server: TestServer;
let admin: Client;
let secret: string;
let backupCodes: string[];

const step = () => Math.floor(Date.now() / 30_000);
const codeAt = (s: number) => generate({ secret, epoch: s * 30 });

async function passwordStep(c: Client) {
  const res = await c.post("/api/v1/auth/login", { email: ADMIN.email, password: ADMIN.password });
  expect(res.status).toBe(200);
  return (await res.json()) as { mfaRequired?: boolean; challenge?: string; user?: unknown };
}

beforeAll(async () => {
  server = await startServer();
  admin = await setUpServer(server);
});
afterAll(async () => {
  await server?.stop();
});

describe("enrolment", () => {
  test("setup returns a secret and an otpauth URL with the InfraPilot issuer", async () => {
    const res = await admin.request("/api/v1/auth/mfa/setup", { method: "POST" });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/InfraPilot:admin%40example\.com\?.*issuer=InfraPilot/);
    secret = body.secret;
  });

  test("a wrong code does not enable MFA", async () => {
    const res = await admin.post("/api/v1/auth/mfa/enable", { code: "000000" === (await codeAt(step())) ? "111111" : "000000" });
    expect(res.status).toBe(400);
    expect((await (await admin.request("/api/v1/me")).json()).user.mfaEnabled).toBe(false);
  });

  test("the current code enables MFA and returns ten backup codes once", async () => {
    const res = await admin.post("/api/v1/auth/mfa/enable", { code: await codeAt(step() - 1) });
    expect(res.status).toBe(200);
    backupCodes = (await res.json()).backupCodes;
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    for (const c of backupCodes) expect(c).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect((await (await admin.request("/api/v1/me")).json()).user.mfaEnabled).toBe(true);
  });

  test("the secret and backup codes are not stored in the clear", async () => {
    const pg = await import("pg");
    const db = new pg.default.Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      const dump = JSON.stringify((await db.query(`SELECT u.*, b.* FROM "User" u LEFT JOIN "MfaBackupCode" b ON b."userId" = u.id`)).rows);
      expect(dump).not.toContain(secret);
      for (const c of backupCodes) expect(dump).not.toContain(c.replace(/-/g, ""));
    } finally {
      await db.end();
    }
  });
});

describe("login with MFA", () => {
  test("the password alone gives a challenge, not a session", async () => {
    const c = new Client(server.url);
    const first = await passwordStep(c);
    expect(first).toEqual({ mfaRequired: true, challenge: expect.any(String) });
    expect(c.cookies.has("infrapilot_session")).toBe(false);
    expect((await c.request("/api/v1/me")).status).toBe(401);
  });

  test("a current code completes the login; the same code cannot be replayed", async () => {
    const code = await codeAt(step());
    const c = new Client(server.url);
    const { challenge } = await passwordStep(c);
    const ok = await c.post("/api/v1/auth/mfa/verify", { challenge, code });
    expect(ok.status).toBe(200);
    expect((await ok.json()).user.email).toBe(ADMIN.email);
    expect((await c.request("/api/v1/me")).status).toBe(200);

    const again = new Client(server.url);
    const second = await passwordStep(again);
    const replay = await again.post("/api/v1/auth/mfa/verify", { challenge: second.challenge, code });
    expect(replay.status).toBe(401);
    expect((await replay.json()).error.message).toBe("Wrong code.");
    // an older step is refused too once a newer one was used
    const older = await again.post("/api/v1/auth/mfa/verify", { challenge: second.challenge, code: await codeAt(step() - 1) });
    expect(older.status).toBe(401);
  });

  test("two concurrent logins with the same fresh code: exactly one succeeds", async () => {
    // the next step is inside the ±1 window and has not been used yet
    const code = await codeAt(step() + 1);
    const a = new Client(server.url);
    const b = new Client(server.url);
    const [ca, cb] = await Promise.all([passwordStep(a), passwordStep(b)]);
    const results = await Promise.all([
      a.post("/api/v1/auth/mfa/verify", { challenge: ca.challenge, code }),
      b.post("/api/v1/auth/mfa/verify", { challenge: cb.challenge, code }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  test("a backup code works once; two concurrent uses of another give one success", async () => {
    const c = new Client(server.url);
    const { challenge } = await passwordStep(c);
    expect((await c.post("/api/v1/auth/mfa/verify", { challenge, code: backupCodes[0] })).status).toBe(200);
    const d = new Client(server.url);
    const again = await passwordStep(d);
    expect((await d.post("/api/v1/auth/mfa/verify", { challenge: again.challenge, code: backupCodes[0] })).status).toBe(401);

    const x = new Client(server.url);
    const y = new Client(server.url);
    const [cx, cy] = await Promise.all([passwordStep(x), passwordStep(y)]);
    const results = await Promise.all([
      x.post("/api/v1/auth/mfa/verify", { challenge: cx.challenge, code: backupCodes[1]!.toUpperCase() }),
      y.post("/api/v1/auth/mfa/verify", { challenge: cy.challenge, code: backupCodes[1]!.replace(/-/g, " ") }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  test("a challenge is single-use and expires after five wrong codes", async () => {
    const c = new Client(server.url);
    const { challenge } = await passwordStep(c);
    for (let i = 0; i < 5; i++) expect((await c.post("/api/v1/auth/mfa/verify", { challenge, code: "12345" + (i % 10) })).status).toBe(401);
    const late = await c.post("/api/v1/auth/mfa/verify", { challenge, code: backupCodes[2] });
    expect(late.status).toBe(401);
    expect((await late.json()).error.message).toMatch(/expired/);
  });

  test("disabling MFA needs the password and a code", async () => {
    const c = new Client(server.url);
    const { challenge } = await passwordStep(c);
    expect((await c.post("/api/v1/auth/mfa/verify", { challenge, code: backupCodes[3] })).status).toBe(200);
    const wrongPassword = await c.post("/api/v1/auth/mfa/disable", { password: "not my password", code: backupCodes[4] });
    expect(wrongPassword.status).toBe(400);
    expect((await wrongPassword.json()).error.fields).toEqual({ password: "Wrong password." });
    const ok = await c.post("/api/v1/auth/mfa/disable", { password: ADMIN.password, code: backupCodes[5] });
    expect(ok.status).toBe(204);
    expect(await passwordStep(new Client(server.url))).toMatchObject({ user: { email: ADMIN.email } });
  });
});

describe("bad input", () => {
  test("a malformed code is a 400 with a field error, an unknown challenge a 401", async () => {
    const res = await new Client(server.url).post("/api/v1/auth/mfa/verify", { challenge: "x", code: "1" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields.code).toBeDefined();
    const unknown = await new Client(server.url).post("/api/v1/auth/mfa/verify", { challenge: "nope", code: "123456" });
    expect(unknown.status).toBe(401);
  });
});
