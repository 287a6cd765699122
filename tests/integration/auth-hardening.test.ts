// Authority that must not leak past its scope, through the real server (docs/decisions/051):
// API tokens cannot manage credentials, nobody acts on a member ranked above them, an admin-set
// password allows nothing but changing it, and invitation links die with (and only ever serve)
// the user they were made for.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { io } from "socket.io-client";
import pg from "pg";
import { ADMIN, Client, memberClient, setUpServer, startServer, type TestServer } from "../setup/server";

let server: TestServer;
let admin: Client;
let db: pg.Client;
let adminId: string;
const tokens: Record<"read" | "admin", string> = { read: "", admin: "" };

beforeAll(async () => {
  server = await startServer();
  admin = await setUpServer(server);
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  adminId = (await (await admin.request("/api/v1/me")).json()).user.id;
  for (const scope of ["read", "admin"] as const) {
    const res = await admin.post("/api/v1/tokens", { name: `${scope} token`, scope });
    expect(res.status).toBe(201);
    tokens[scope] = (await res.json()).secret;
  }
});
afterAll(async () => {
  await db?.end();
  await server?.stop();
});

function withToken(scope: "read" | "admin", path: string, init: { method?: string; json?: unknown } = {}) {
  return fetch(server.url + path, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${tokens[scope]}`, ...(init.json !== undefined ? { "content-type": "application/json" } : {}) },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    redirect: "manual",
  });
}

async function errorCode(res: Response): Promise<string | undefined> {
  return ((await res.json()) as { error?: { code?: string } }).error?.code;
}


async function userRow(id: string) {
  const { rows } = await db.query(`SELECT name, disabled, "mustChangePassword", "passwordHash", "mfaSecret" FROM "User" WHERE id = $1`, [id]);
  return rows[0] as { name: string; disabled: boolean; mustChangePassword: boolean; passwordHash: string | null; mfaSecret: string | null } | undefined;
}

describe("credential management needs an interactive session", () => {
  const verbs: { name: string; method: string; path: () => string; json?: unknown }[] = [
    { name: "set up MFA", method: "POST", path: () => "/api/v1/auth/mfa/setup" },
    { name: "enable MFA", method: "POST", path: () => "/api/v1/auth/mfa/enable", json: { code: "123456" } },
    { name: "disable MFA", method: "POST", path: () => "/api/v1/auth/mfa/disable", json: { password: ADMIN.password, code: "123456" } },
    { name: "change the password", method: "POST", path: () => "/api/v1/account/password", json: { currentPassword: ADMIN.password, newPassword: "a password chosen by a token" } },
    { name: "create a token", method: "POST", path: () => "/api/v1/tokens", json: { name: "minted", scope: "admin" } },
    { name: "revoke a token", method: "DELETE", path: () => `/api/v1/tokens/${tokenIdOf("read token")}` },
    { name: "revoke a session", method: "DELETE", path: () => `/api/v1/account/sessions/${sessionPrefix}` },
  ];
  let tokenIdsByName: Record<string, string> = {};
  let sessionPrefix = "";
  const tokenIdOf = (name: string) => tokenIdsByName[name]!;

  beforeAll(async () => {
    const list = (await (await admin.request("/api/v1/tokens")).json()).items as { id: string; name: string }[];
    tokenIdsByName = Object.fromEntries(list.map((t) => [t.name, t.id]));
    // A second session of the admin's, the one a token would try to end.
    const other = new Client(server.url);
    expect((await other.post("/api/v1/auth/login", { email: ADMIN.email, password: ADMIN.password })).status).toBe(200);
    const sessions = (await (await admin.request("/api/v1/account/sessions")).json()).items as { id: string; current: boolean }[];
    sessionPrefix = sessions.find((s) => !s.current)!.id;
  });

  for (const scope of ["read", "admin"] as const) {
    for (const verb of verbs) {
      test(`refuses to ${verb.name} with a ${scope} token with 403 session_required`, async () => {
        const res = await withToken(scope, verb.path(), { method: verb.method, json: verb.json });
        expect(res.status).toBe(403);
        expect(await errorCode(res)).toBe("session_required");
      });
    }
  }

  test("refused token calls changed nothing: no MFA secret, the password, tokens and sessions are as before", async () => {
    const row = await userRow(adminId);
    expect(row!.mfaSecret).toBeNull();
    expect((await new Client(server.url).post("/api/v1/auth/login", { email: ADMIN.email, password: ADMIN.password })).status).toBe(200);
    const names = ((await (await admin.request("/api/v1/tokens")).json()).items as { name: string }[]).map((t) => t.name).sort();
    expect(names).toEqual(["admin token", "read token"]);
    const sessions = (await (await admin.request("/api/v1/account/sessions")).json()).items as { id: string }[];
    expect(sessions.map((s) => s.id)).toContain(sessionPrefix);
  });

  test("refuses new backup codes, MFA setup and token creation through the account pages' actions with an admin token", async () => {
    // Posted like a browser form, with the token instead of a cookie; the page answers with its HTML.
    const asToken = (path: string, fields: Record<string, string>) =>
      fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.admin}`, "content-type": "application/x-www-form-urlencoded", origin: server.url },
        body: new URLSearchParams(fields).toString(),
      });
    for (const [path, fields] of [
      ["/account/security", { intent: "regenerate", code: "123456" }],
      ["/account/security", { intent: "start" }],
      ["/account/tokens", { intent: "create", name: "minted", scope: "admin", expiresIn: "7" }],
    ] as const) {
      const res = await asToken(path, fields);
      const body = await res.text();
      expect(body, `${path} ${fields.intent}`).toMatch(/interactive session/);
    }
    expect((await userRow(adminId))!.mfaSecret).toBeNull();
  });

  test("a token still reads: GET /api/v1/me and the token list answer 200", async () => {
    expect((await withToken("read", "/api/v1/me")).status).toBe(200);
    expect((await withToken("read", "/api/v1/tokens")).status).toBe(200);
  });
});

describe("nobody acts on a member ranked above them", () => {
  let plainAdmin: Client;
  let bossId: string;

  beforeAll(async () => {
    // A second super admin, so "never the last super admin" cannot be what refuses.
    const boss = await memberClient(server, admin, { email: "boss@example.com", role: "super_admin", name: "Boss" });
    bossId = boss.id;
    plainAdmin = (await memberClient(server, admin, { email: "plain-admin@example.com", role: "admin", name: "Plain" })).client;
  });

  const apiVerbs: { name: string; call: (c: Client) => Promise<Response> }[] = [
    { name: "rename", call: (c) => c.request(`/api/v1/users/${bossId}`, { method: "PATCH", json: { name: "Renamed" } }) },
    { name: "disable", call: (c) => c.request(`/api/v1/users/${bossId}`, { method: "PATCH", json: { disabled: true } }) },
    { name: "demote", call: (c) => c.request(`/api/v1/users/${bossId}`, { method: "PATCH", json: { role: "viewer" } }) },
    { name: "force a password reset of", call: (c) => c.post(`/api/v1/users/${bossId}/reset-password`, {}) },
    { name: "delete", call: (c) => c.request(`/api/v1/users/${bossId}`, { method: "DELETE" }) },
  ];
  for (const verb of apiVerbs) {
    test(`refuses an admin who tries to ${verb.name} a super_admin through the API with 403`, async () => {
      const res = await verb.call(plainAdmin);
      expect(res.status).toBe(403);
      expect(await errorCode(res)).toBe("forbidden");
      expect(await userRow(bossId)).toMatchObject({ name: "Boss", disabled: false, mustChangePassword: false });
    });
  }

  const pageVerbs: { name: string; fields: () => Record<string, string> }[] = [
    { name: "demote", fields: () => ({ intent: "role", userId: bossId, role: "viewer" }) },
    { name: "disable", fields: () => ({ intent: "disable", userId: bossId }) },
    { name: "force a password reset of", fields: () => ({ intent: "force-reset", userId: bossId }) },
    { name: "delete", fields: () => ({ intent: "delete", userId: bossId, confirmation: "boss@example.com" }) },
  ];
  for (const verb of pageVerbs) {
    test(`refuses an admin who tries to ${verb.name} a super_admin through the users page`, async () => {
      const res = await plainAdmin.form("/users", verb.fields());
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/Your role \(admin\) cannot/);
      expect(await userRow(bossId)).toMatchObject({ name: "Boss", disabled: false, mustChangePassword: false });
      const role = await db.query(`SELECT role FROM "Membership" WHERE "userId" = $1`, [bossId]);
      expect(role.rows[0].role).toBe("super_admin");
    });
  }

  test("an admin still manages an admin and below", async () => {
    const peer = await memberClient(server, admin, { email: "peer-admin@example.com", role: "admin", name: "Peer" });
    expect((await plainAdmin.request(`/api/v1/users/${peer.id}`, { method: "PATCH", json: { name: "Peer Renamed" } })).status).toBe(200);
    expect((await plainAdmin.post(`/api/v1/users/${peer.id}/reset-password`, {})).status).toBe(204);
  });
});

describe("an admin-set password must be changed before anything else", () => {
  const INITIAL = "the initial password from the admin";
  const OWN = "my very own long password";

  async function freshUser(email: string) {
    const res = await admin.post("/api/v1/users", { email, name: email.split("@")[0], role: "admin", password: INITIAL });
    expect(res.status).toBe(201);
    const client = new Client(server.url);
    expect((await client.post("/api/v1/auth/login", { email, password: INITIAL })).status).toBe(200);
    return { id: (await res.json()).id as string, client };
  }

  test("refuses every other API call of a user created with a password with 403 password_change_required; /me and logout stay open", async () => {
    const { client } = await freshUser("new-admin@example.com");
    for (const [method, path, json] of [
      ["GET", "/api/v1/agents", undefined],
      ["GET", "/api/v1/users", undefined],
      ["POST", "/api/v1/users", { email: "x@example.com", name: "X", role: "viewer" }],
      ["GET", "/api/v1/tokens", undefined],
      ["POST", "/api/v1/tokens", { name: "t", scope: "read" }],
      ["GET", "/api/v1/account/sessions", undefined],
      ["POST", "/api/v1/auth/mfa/setup", undefined],
    ] as const) {
      const res = await client.request(path, { method, json });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await errorCode(res), `${method} ${path}`).toBe("password_change_required");
    }
    const me = await client.request("/api/v1/me");
    expect(me.status).toBe(200);
    expect((await me.json()).user).toMatchObject({ email: "new-admin@example.com", mustChangePassword: true });
    expect((await client.post("/api/v1/auth/logout", {})).status).toBe(204);
  });

  test("sends its pages to the change-password page and refuses its socket", async () => {
    const { client } = await freshUser("new-member@example.com");
    for (const path of ["/dashboard", "/users", "/account/security", "/account/tokens"]) {
      const res = await client.request(path);
      expect(res.status, path).toBe(302);
      expect(res.headers.get("location"), path).toBe("/account?password=required");
    }
    const account = await client.request("/account");
    expect(account.status).toBe(200);
    expect(await account.text()).toContain("Please choose a new password.");
    const refused = await new Promise<string>((resolve) => {
      const s = io(`${server.url}/ui`, { transports: ["websocket"], extraHeaders: { cookie: client.cookieHeader(), origin: server.url }, reconnection: false });
      s.on("hello", () => {
        s.close();
        resolve("connected");
      });
      s.on("connect_error", (e) => {
        s.close();
        resolve(e.message);
      });
    });
    expect(refused).toBe("password_change_required");
  });

  test("after changing the password through the page, everything is open again", async () => {
    const { client } = await freshUser("changes-on-page@example.com");
    const res = await client.form("/account?index", { intent: "password", currentPassword: INITIAL, newPassword: OWN, repeatPassword: OWN });
    expect(res.status).toBe(302);
    expect((await client.request("/api/v1/agents")).status).toBe(200);
    expect((await client.request("/dashboard")).status).toBe(200);
  });

  test("refuses everything but the password change after a forced reset, to sessions and to the user's API tokens", async () => {
    const { id, client } = await freshUser("reset-me@example.com");
    expect((await client.post("/api/v1/account/password", { currentPassword: INITIAL, newPassword: OWN })).status).toBe(204);
    const created = await client.post("/api/v1/tokens", { name: "mine", scope: "read" });
    expect(created.status).toBe(201);
    const { secret } = await created.json();
    const viaToken = (path: string) => fetch(server.url + path, { headers: { authorization: `Bearer ${secret}` } });
    expect((await viaToken("/api/v1/agents")).status).toBe(200);

    expect((await admin.post(`/api/v1/users/${id}/reset-password`, {})).status).toBe(204);
    const again = new Client(server.url);
    expect((await again.post("/api/v1/auth/login", { email: "reset-me@example.com", password: OWN })).status).toBe(200);
    const refused = await again.request("/api/v1/agents");
    expect(refused.status).toBe(403);
    expect(await errorCode(refused)).toBe("password_change_required");
    const tokenRefused = await viaToken("/api/v1/agents");
    expect(tokenRefused.status).toBe(403);
    expect(await errorCode(tokenRefused)).toBe("password_change_required");
    expect((await viaToken("/api/v1/me")).status).toBe(200);

    expect((await again.post("/api/v1/account/password", { currentPassword: OWN, newPassword: "and now another one" })).status).toBe(204);
    expect((await again.request("/api/v1/agents")).status).toBe(200);
    expect((await viaToken("/api/v1/agents")).status).toBe(200);
  });
});

describe("invitations die with their user and serve only that user", () => {
  async function invite(email: string) {
    const res = await admin.post("/api/v1/users", { email, name: email.split("@")[0], role: "viewer" });
    expect(res.status).toBe(201);
    const body = await res.json();
    return { id: body.id as string, path: new URL(body.invitation.url).pathname };
  }

  async function linkWorks(path: string, password: string): Promise<boolean> {
    const c = new Client(server.url);
    const page = await (await c.request(path)).text();
    const res = await c.form(path, { password });
    if (res.status === 302) return true;
    expect(page).toMatch(/does not work/);
    expect(await res.text()).toMatch(/does not work|not valid any more/);
    return false;
  }

  test("refuses the invitation link of a deleted user", async () => {
    const { id, path } = await invite("deleted-invitee@example.com");
    expect((await admin.request(`/api/v1/users/${id}`, { method: "DELETE" })).status).toBe(204);
    expect(await linkWorks(path, "a long password for nobody")).toBe(false);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM "Invitation" WHERE email = 'deleted-invitee@example.com'`);
    expect(rows[0].n).toBe(0);
  });

  test("refuses the invitation link of a disabled user, also after they are enabled again", async () => {
    const { id, path } = await invite("disabled-invitee@example.com");
    expect((await admin.request(`/api/v1/users/${id}`, { method: "PATCH", json: { disabled: true } })).status).toBe(200);
    expect(await linkWorks(path, "a long password while disabled")).toBe(false);
    expect((await admin.request(`/api/v1/users/${id}`, { method: "PATCH", json: { disabled: false } })).status).toBe(200);
    expect(await linkWorks(path, "a long password once enabled")).toBe(false);
    expect((await userRow(id))!.passwordHash).toBeNull();
  });

  test("refuses an old link for a new user who got the same e-mail address: it never sets their password", async () => {
    const { id, path } = await invite("reused@example.com");
    expect((await admin.request(`/api/v1/users/${id}`, { method: "DELETE" })).status).toBe(204);
    const created = await admin.post("/api/v1/users", { email: "reused@example.com", name: "New holder", role: "admin", password: "the new holder's initial password" });
    expect(created.status).toBe(201);
    const newId = (await created.json()).id as string;
    const before = (await userRow(newId))!.passwordHash;
    expect(await linkWorks(path, "an attacker's chosen password")).toBe(false);
    expect((await userRow(newId))!.passwordHash).toBe(before);
    expect((await new Client(server.url).post("/api/v1/auth/login", { email: "reused@example.com", password: "an attacker's chosen password" })).status).toBe(401);
  });

  test("an invitation still works for its own user, once", async () => {
    const { id, path } = await invite("fine-invitee@example.com");
    expect(await linkWorks(path, "the invitee's long password")).toBe(true);
    expect((await userRow(id))!.passwordHash).not.toBeNull();
    expect(await linkWorks(path, "a second long password")).toBe(false);
  });
});
