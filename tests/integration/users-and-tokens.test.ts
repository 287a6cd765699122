// User management, sessions and API tokens through the real server.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { io, type Socket } from "socket.io-client";
import pg from "pg";
import { ADMIN, Client, memberClient, setUpServer, startServer, type Role, type TestServer } from "../setup/server";

let server: TestServer;
let admin: Client;
let db: pg.Client;

beforeAll(async () => {
  server = await startServer();
  admin = await setUpServer(server);
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await server?.stop();
});

/** A member who logged in and already replaced the initial password the admin gave them. */
function createUser(role: Role, email: string) {
  return memberClient(server, admin, { email, role, name: email.split("@")[0] });
}

function openSocket(c: Client): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(`${server.url}/ui`, { transports: ["websocket"], extraHeaders: { cookie: c.cookieHeader(), origin: server.url }, reconnection: false });
    s.on("hello", () => resolve(s));
    s.on("connect_error", reject);
  });
}

function disconnected(s: Socket): Promise<string> {
  return new Promise((resolve) => s.on("disconnect", (reason) => resolve(reason)));
}

describe("user management", () => {
  test("creating a user answers 201 with the user; the list shows it", async () => {
    const res = await admin.post("/api/v1/users", { email: "Op@Example.com", name: "Op", role: "operator", password: "a long enough password" });
    expect(res.status).toBe(201);
    const user = await res.json();
    expect(user).toMatchObject({ email: "op@example.com", name: "Op", role: "operator", mfaEnabled: false, disabled: false, lastLoginAt: null });
    const list = await (await admin.request("/api/v1/users")).json();
    expect(list.items.map((u: { email: string }) => u.email)).toContain("op@example.com");
    expect(list.nextCursor).toBeNull();
  });

  test("a duplicate e-mail is a 409 and bad fields a 400", async () => {
    expect((await admin.post("/api/v1/users", { email: "op@example.com", name: "Op", role: "operator" })).status).toBe(409);
    const bad = await admin.post("/api/v1/users", { email: "x", name: "", role: "god" });
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fields).sort()).toEqual(["email", "name", "role"]);
  });

  test("a viewer calling user-management APIs gets 403", async () => {
    const viewer = await createUser("viewer", "viewer1@example.com");
    expect((await viewer.client.request("/api/v1/users")).status).toBe(403);
    expect((await viewer.client.post("/api/v1/users", { email: "v2@example.com", name: "V", role: "viewer" })).status).toBe(403);
    expect((await viewer.client.request(`/api/v1/users/${viewer.id}`, { method: "DELETE" })).status).toBe(403);
  });

  test("an admin cannot grant super_admin", async () => {
    const adm = await createUser("admin", "admin2@example.com");
    const res = await adm.client.post("/api/v1/users", { email: "boss@example.com", name: "Boss", role: "super_admin" });
    expect(res.status).toBe(403);
    const promote = await adm.client.request(`/api/v1/users/${adm.id}`, { method: "PATCH", json: { role: "super_admin" } });
    expect(promote.status).toBe(403);
  });

  test("deleting yourself or the last super admin is refused", async () => {
    const me = await (await admin.request("/api/v1/me")).json();
    const self = await admin.request(`/api/v1/users/${me.user.id}`, { method: "DELETE" });
    expect(self.status).toBe(409);
    expect((await self.json()).error.message).toMatch(/your own account/);
    const demote = await admin.request(`/api/v1/users/${me.user.id}`, { method: "PATCH", json: { role: "admin" } });
    expect(demote.status).toBe(409);
    expect((await demote.json()).error.message).toMatch(/last super admin/);
  });

  test("disabling a user ends their session and their socket at once", async () => {
    const u = await createUser("operator", "op2@example.com");
    const socket = await openSocket(u.client);
    const gone = disconnected(socket);
    const res = await admin.request(`/api/v1/users/${u.id}`, { method: "PATCH", json: { disabled: true } });
    expect(res.status).toBe(200);
    expect((await res.json()).disabled).toBe(true);
    expect(await gone).toBe("io server disconnect");
    expect((await u.client.request("/api/v1/me")).status).toBe(401);
  });

  test("role demotion ends the sessions and sockets at once; the next login has the new role", async () => {
    const u = await createUser("admin", "admin3@example.com");
    expect((await u.client.request("/api/v1/users")).status).toBe(200);
    const socket = await openSocket(u.client);
    const gone = disconnected(socket);
    expect((await admin.request(`/api/v1/users/${u.id}`, { method: "PATCH", json: { role: "viewer" } })).status).toBe(200);
    expect(await gone).toBe("io server disconnect");
    // the old session is gone; logged in again, the user has the new role
    expect((await u.client.request("/api/v1/users")).status).toBe(401);
    expect((await u.client.post("/api/v1/auth/login", { email: "admin3@example.com", password: u.password })).status).toBe(200);
    expect((await u.client.request("/api/v1/users")).status).toBe(403);
    expect((await (await u.client.request("/api/v1/me")).json()).user.role).toBe("viewer");
  });

  test("an invitation link works once and not after it expires", async () => {
    const res = await admin.post("/api/v1/users", { email: "invitee@example.com", name: "Invitee", role: "viewer" });
    expect(res.status).toBe(201);
    const { invitation } = await res.json();
    expect(invitation.url).toMatch(new RegExp(`^${server.url}/invite/[A-Za-z0-9_-]{43}$`));
    const path = new URL(invitation.url).pathname;
    const c = new Client(server.url);
    expect((await c.request(path)).status).toBe(200);
    const accept = await c.form(path, { password: "invitee's long password" });
    expect(accept.status).toBe(302);
    expect((await c.request("/api/v1/me")).status).toBe(200);
    const again = await new Client(server.url).form(path, { password: "another long password" });
    expect(await again.text()).toMatch(/not valid any more/);

    const second = await (await admin.post("/api/v1/users", { email: "late@example.com", name: "Late", role: "viewer" })).json();
    await db.query(`UPDATE "Invitation" SET "expiresAt" = now() - interval '1 minute' WHERE email = 'late@example.com'`);
    const expired = await new Client(server.url).form(new URL(second.invitation.url).pathname, { password: "late but long password" });
    expect(await expired.text()).toMatch(/not valid any more/);
  });
});

describe("sessions", () => {
  test("changing the password ends every other session and its socket, but not this one", async () => {
    const u = await createUser("operator", "op3@example.com");
    const other = new Client(server.url);
    expect((await other.post("/api/v1/auth/login", { email: "op3@example.com", password: u.password })).status).toBe(200);
    const socket = await openSocket(other);
    const gone = disconnected(socket);
    const res = await u.client.post("/api/v1/account/password", { currentPassword: u.password, newPassword: "a brand new long password" });
    expect(res.status).toBe(204);
    expect(await gone).toBe("io server disconnect");
    expect((await other.request("/api/v1/me")).status).toBe(401);
    expect((await u.client.request("/api/v1/me")).status).toBe(200);
  });

  test("sessions can be listed and one revoked", async () => {
    const u = await createUser("viewer", "viewer2@example.com");
    const other = new Client(server.url);
    await other.post("/api/v1/auth/login", { email: "viewer2@example.com", password: u.password });
    const list = (await (await u.client.request("/api/v1/account/sessions")).json()).items as { id: string; current: boolean; lastSeenAt: string }[];
    for (const s of list) expect(Date.parse(s.lastSeenAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(list).toHaveLength(2);
    const target = list.find((s) => !s.current)!;
    expect((await u.client.request(`/api/v1/account/sessions/${target.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await other.request("/api/v1/me")).status).toBe(401);
    expect((await u.client.request("/api/v1/me")).status).toBe(200);
  });
});

describe("API tokens", () => {
  test("a read token reads, is refused writes with 403, and the database holds only its hash", async () => {
    const res = await admin.post("/api/v1/tokens", { name: "ci", scope: "read", expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(res.status).toBe(201);
    const { token, secret } = await res.json();
    expect(secret).toMatch(/^ipt_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ id: expect.any(String), name: "ci", scope: "read" });
    const bearer = { authorization: `Bearer ${secret}` };
    expect((await fetch(`${server.url}/api/v1/users`, { headers: bearer })).status).toBe(200);
    const write = await fetch(`${server.url}/api/v1/users`, { method: "POST", headers: { ...bearer, "content-type": "application/json", origin: "https://anywhere.example" }, body: JSON.stringify({ email: "t@example.com", name: "T", role: "viewer" }) });
    expect(write.status).toBe(403);
    expect((await write.json()).error.message).toMatch(/scope \(read\)/);
    const dump = JSON.stringify((await db.query(`SELECT * FROM "ApiToken"`)).rows);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(secret.slice(4));
    const listed = await (await admin.request("/api/v1/tokens")).json();
    expect(listed.items[0].lastUsedAt).not.toBeNull();
  });

  test("an admin token may manage users", async () => {
    const { secret } = await (await admin.post("/api/v1/tokens", { name: "automation", scope: "admin" })).json();
    const res = await fetch(`${server.url}/api/v1/users`, { method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body: JSON.stringify({ email: "bot-made@example.com", name: "Bot made", role: "viewer" }) });
    expect(res.status).toBe(201);
  });

  test("a token stops working when revoked or expired", async () => {
    const a = await (await admin.post("/api/v1/tokens", { name: "short", scope: "read" })).json();
    const b = await (await admin.post("/api/v1/tokens", { name: "expiring", scope: "read" })).json();
    const get = (s: string) => fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${s}` } });
    expect((await get(a.secret)).status).toBe(200);
    expect((await admin.request(`/api/v1/tokens/${a.token.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await get(a.secret)).status).toBe(401);
    await db.query(`UPDATE "ApiToken" SET "expiresAt" = now() - interval '1 second' WHERE id = $1`, [b.token.id]);
    expect((await get(b.secret)).status).toBe(401);
  });

  test("a token's scope cannot exceed its owner's role, and a past expiry is refused", async () => {
    const viewer = await createUser("viewer", "viewer3@example.com");
    const res = await viewer.client.post("/api/v1/tokens", { name: "x", scope: "operate" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields.scope).toMatch(/cannot hold operate/);
    const past = await admin.post("/api/v1/tokens", { name: "x", scope: "read", expiresAt: "2001-01-01T00:00:00Z" });
    expect(past.status).toBe(400);
  });
});

describe("audit API", () => {
  test("lists entries, verifies the chain and exports CSV and JSON", async () => {
    const list = await (await admin.request("/api/v1/audit?action=user.&limit=2")).json();
    expect(list.items).toHaveLength(2);
    expect(list.items[0]).toMatchObject({ id: expect.any(String), time: expect.any(String), actorEmail: ADMIN.email, action: expect.stringMatching(/^user\./), outcome: "success" });
    expect(list.nextCursor).not.toBeNull();
    expect(await (await admin.request("/api/v1/audit/verify")).json()).toMatchObject({ ok: true, entries: expect.any(Number) });
    const csv = await admin.request("/api/v1/audit/export?format=csv&action=user.create");
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split("\n");
    expect(lines[0]).toBe("id,time,actorId,actorEmail,action,targetType,targetId,ip,outcome,details");
    expect(lines.length).toBeGreaterThan(3);
    const json = await (await admin.request("/api/v1/audit/export?format=json&action=user.create")).json();
    expect(json.length).toBe(lines.length - 1);
    expect(json.every((e: { action: string }) => e.action === "user.create")).toBe(true);

    // CEF and RFC 5424: one line per entry, with the entry's id; each export signs a checkpoint.
    const cef = await admin.request("/api/v1/audit/export?format=cef&action=user.create");
    expect(cef.headers.get("content-type")).toMatch(/text\/plain/);
    const cefLines = (await cef.text()).trim().split("\n");
    expect(cefLines).toHaveLength(json.length);
    expect(cefLines[0]).toMatch(new RegExp(`^CEF:0\\|InfraPilot\\|InfraPilot\\|[^|]+\\|user\\.create\\|user\\.create\\|3\\|rt=\\d+ externalId=${json[0].id} `));
    const syslog = await admin.request("/api/v1/audit/export?format=syslog&action=user.create");
    const syslogLines = (await syslog.text()).trim().split("\n");
    expect(syslogLines).toHaveLength(json.length);
    expect(syslogLines[0]).toMatch(new RegExp(`^<86>1 \\S+ 127\\.0\\.0\\.1 InfraPilot - user\\.create \\[audit@32473 id="${json[0].id}" action="user\\.create" outcome="success" `));
    expect(syslog.headers.get("x-audit-checkpoint")).toMatch(/^lastId=\d+; lastHash=[0-9a-f]{64}; count=\d+; time=\S+; signature=[0-9a-f]{64}$/);
    expect(await (await admin.request("/api/v1/audit/verify")).json()).toMatchObject({ ok: true, checkpoints: expect.any(Number) });
    expect((await admin.request("/api/v1/audit/export?format=xml")).status).toBe(400);
    // Retention and immutable mode are SaaS settings: Community has no such route.
    expect((await admin.request("/api/v1/audit/settings")).status).toBe(404);
    expect((await admin.request("/api/v1/audit/settings", { method: "PATCH", json: { immutable: true } })).status).toBe(404);
  });

  test("bad filters answer 400", async () => {
    const res = await admin.request("/api/v1/audit?from=yesterday&limit=9999");
    expect(res.status).toBe(400);
    expect(Object.keys((await res.json()).error.fields).sort()).toEqual(["from", "limit"]);
  });
});
