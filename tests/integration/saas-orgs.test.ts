// SaaS organizations end to end through the real server (docs/decisions/090–094): sign-up,
// organizations (create, switch, second-tab protection, rename, delete), members with per-org
// roles, and invitations mailed to a real SMTP server.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connectUi } from "../setup/containers";
import { Client, startServer, type TestServer } from "../setup/server";
import { startReceivers, type Receivers } from "./alert-receivers";

let server: TestServer;
let db: pg.Client;
let mail: Receivers;
const PASSWORD = "a long enough password";

/** Each sign-up from its own address (TRUSTED_PROXIES=127.0.0.1), so the per-address throttle is tested on purpose only. */
function fromAddress(n = Math.floor(Math.random() * 250) + 1) {
  return { "x-forwarded-for": `10.${Math.floor(Math.random() * 250)}.0.${n}` };
}

async function signUp(email: string, orgName: string): Promise<{ client: Client; org: { id: string; slug: string; name: string }; userId: string }> {
  const client = new Client(server.url);
  const res = await client.post("/api/v1/auth/signup", { email, name: email.split("@")[0], password: PASSWORD, orgName }, fromAddress());
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const body = await res.json();
  // These tests are about organizations, not plans: the Business plan's seats never get in the
  // way (plan limits have their own tests in saas-operator.test.ts).
  await db.query(`UPDATE "Organization" SET plan = 'business' WHERE id = $1`, [body.org.id]);
  return { client, org: body.org, userId: body.user.id };
}

/** Invites `email` into the inviter's current org with `role` and accepts as a new or logged-in account. */
async function join_(inviter: Client, email: string, role: string, as?: Client): Promise<Client> {
  const created = await inviter.post("/api/v1/orgs/current/invitations", { email, role });
  if (created.status !== 201) throw new Error(`invite failed: ${created.status} ${await created.text()}`);
  const token = new URL((await created.json()).url).pathname.split("/").pop();
  const client = as ?? new Client(server.url);
  const res = await client.post(`/api/v1/invitations/${token}/accept`, as ? {} : { name: email.split("@")[0], password: PASSWORD });
  if (res.status !== 200) throw new Error(`accept failed: ${res.status} ${await res.text()}`);
  return client;
}

async function currentOrgId(client: Client): Promise<string> {
  return (await (await client.request("/api/v1/me")).json()).org.id;
}

beforeAll(async () => {
  mail = await startReceivers();
  server = await startServer({ env: { EDITION: "saas", SIGNUP: "open", TRUSTED_PROXIES: "127.0.0.1", SMTP_URL: `smtp://127.0.0.1:${mail.smtpPort}/?from=InfraPilot%20%3Cinvites%40infrapilot.test%3E` } });
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await server?.stop();
  await mail?.close();
});

describe("sign-up", () => {
  test("creates an account, its organization and a session; the owner is super_admin", async () => {
    const { client, org } = await signUp("Founder@Acme.example", "Acme Inc.");
    expect(org).toMatchObject({ name: "Acme Inc.", slug: "acme-inc", plan: "free" });
    const me = await (await client.request("/api/v1/me")).json();
    expect(me).toMatchObject({ user: { email: "founder@acme.example", role: "super_admin" }, org: { id: org.id, name: "Acme Inc." }, edition: "saas" });
  });

  test("e-mail addresses are unique across the service, in any case; a second org of the same name gets its own slug", async () => {
    const again = await new Client(server.url).post("/api/v1/auth/signup", { email: "FOUNDER@acme.example", name: "X", password: PASSWORD, orgName: "Other" }, fromAddress());
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatchObject({ code: "email_taken" });
    const twin = await signUp("second@acme.example", "Acme Inc.");
    expect(twin.org.slug).toMatch(/^acme-inc-[0-9a-f]{6}$/);
  });

  test("bad fields and weak passwords are 400 with field errors; nothing is created", async () => {
    const bad = await new Client(server.url).post("/api/v1/auth/signup", { email: "nope", name: "", password: "short", orgName: "!" }, fromAddress());
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fields).sort()).toEqual(["email", "name", "orgName", "password"]);
    const weak = await new Client(server.url).post("/api/v1/auth/signup", { email: "weak@x.example", name: "W", password: "aaaaaaaaaaaaaaa", orgName: "Weak" }, fromAddress());
    expect(weak.status).toBe(400);
    expect((await weak.json()).error.fields.password).toMatch(/repeated/);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM "User" WHERE email = 'weak@x.example'`);
    expect(rows[0].n).toBe(0);
  });

  test("sign-ups are throttled per client address (429 with Retry-After)", async () => {
    const address = { "x-forwarded-for": "192.0.2.77" };
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await new Client(server.url).post("/api/v1/auth/signup", { email: `burst${i}@x.example`, name: "B", password: "aaaaaaaaaaaaaaa", orgName: "Burst" }, address);
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, 10).every((s) => s === 400)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  test("the login page links to the sign-up page, which creates the account from the form", async () => {
    expect(await (await new Client(server.url).request("/login")).text()).toContain('href="/signup"');
    const browser = new Client(server.url);
    const res = await browser.form("/signup", { name: "Form", email: "form@x.example", password: PASSWORD, orgName: "Form Org" }, fromAddress());
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/dashboard");
    expect((await (await browser.request("/api/v1/me")).json()).org.name).toBe("Form Org");
  });
});

describe("SIGNUP=invite", () => {
  test("sign-up answers 403 signup_closed and the page says so", async () => {
    const closed = await startServer({ env: { EDITION: "saas" } });
    try {
      const res = await new Client(closed.url).post("/api/v1/auth/signup", { email: "a@b.example", name: "A", password: PASSWORD, orgName: "Alpha" });
      expect(res.status).toBe(403);
      expect((await res.json()).error.code).toBe("signup_closed");
      expect(await (await new Client(closed.url).request("/signup")).text()).toContain("Sign-up is closed");
      expect(await (await new Client(closed.url).request("/login")).text()).not.toContain('href="/signup"');
    } finally {
      await closed.stop();
    }
  });
});

describe("organizations", () => {
  test("list, create, switch, read and rename; the switch lives on the session", async () => {
    const { client, org } = await signUp("multi@x.example", "First Co");
    const created = await client.post("/api/v1/orgs", { name: "Second Co" });
    expect(created.status).toBe(201);
    const second = await created.json();
    expect(second).toMatchObject({ name: "Second Co", slug: "second-co", role: "super_admin" });
    const list = (await (await client.request("/api/v1/orgs")).json()).items;
    expect(list.map((o: { name: string }) => o.name)).toEqual(["First Co", "Second Co"]);
    expect(list.find((o: { current: boolean }) => o.current).id).toBe(org.id);

    const switched = await client.post("/api/v1/orgs/switch", { orgId: second.id });
    expect(switched.status).toBe(200);
    expect((await switched.json()).org.id).toBe(second.id);
    expect(await currentOrgId(client)).toBe(second.id);
    const renamed = await client.request("/api/v1/orgs/current", { method: "PATCH", json: { name: "Second Company" } });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ id: second.id, name: "Second Company", slug: "second-co" });
    expect((await client.request("/api/v1/orgs/current", { method: "PATCH", json: { name: "" } })).status).toBe(400);
    // The first org kept its name: the rename hit the current org only.
    await client.post("/api/v1/orgs/switch", { orgId: org.id });
    expect((await (await client.request("/api/v1/orgs/current")).json()).name).toBe("First Co");
  });

  test("switching to an organization you do not belong to (or left) is 403; bad ids are 400", async () => {
    const a = await signUp("a-switch@x.example", "A Switch");
    const b = await signUp("b-switch@x.example", "B Switch");
    const res = await a.client.post("/api/v1/orgs/switch", { orgId: b.org.id });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("not_a_member");
    expect(await currentOrgId(a.client)).toBe(a.org.id);
    expect((await a.client.post("/api/v1/orgs/switch", { orgId: "x" })).status).toBe(400);
    // Joined, then left: switching back is refused.
    const member = await join_(b.client, "a-switch@x.example", "viewer", a.client);
    expect(await currentOrgId(member)).toBe(b.org.id);
    expect((await member.request(`/api/v1/orgs/current/members/${a.userId}`, { method: "DELETE" })).status).toBe(204);
    const back = new Client(server.url);
    await back.post("/api/v1/auth/login", { email: "a-switch@x.example", password: PASSWORD });
    expect((await back.post("/api/v1/orgs/switch", { orgId: b.org.id })).status).toBe(403);
  });

  test("API tokens belong to one organization: they see only it and cannot switch", async () => {
    const { client, org } = await signUp("tokens@x.example", "Token One");
    await client.post("/api/v1/orgs", { name: "Token Two" });
    const token = (await (await client.post("/api/v1/tokens", { name: "ci", scope: "admin" })).json()).secret;
    const bearer = { authorization: `Bearer ${token}` };
    const list = (await (await fetch(`${server.url}/api/v1/orgs`, { headers: bearer })).json()).items;
    expect(list.map((o: { id: string }) => o.id)).toEqual([org.id]);
    const other = (await (await client.request("/api/v1/orgs")).json()).items.find((o: { id: string }) => o.id !== org.id);
    const res = await fetch(`${server.url}/api/v1/orgs/switch`, { method: "POST", headers: { ...bearer, "content-type": "application/json" }, body: JSON.stringify({ orgId: other.id }) });
    expect(res.status).toBe(403);
  });

  test("a second tab never acts on the wrong organization: writes for the old org are 409 and change nothing; its socket is refused", async () => {
    const { client, org } = await signUp("tabs@x.example", "Tab One");
    const two = await (await client.post("/api/v1/orgs", { name: "Tab Two" })).json();
    const ui = await connectUi(server, client);
    const closed = new Promise<string>((resolve) => ui.socket.on("disconnect", (r) => resolve(r)));
    // Tab 2 switches; tab 1 still shows "Tab One" and sends its org with every write.
    await client.post("/api/v1/orgs/switch", { orgId: two.id });
    expect(await closed).toBe("io server disconnect");
    const stale = await client.request("/api/v1/orgs/current", { method: "PATCH", json: { name: "Renamed by a stale tab" }, headers: { "x-infrapilot-org": org.id } });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error).toMatchObject({ code: "org_mismatch", message: expect.stringMatching(/another tab/) });
    expect((await (await client.request("/api/v1/orgs/current")).json()).name).toBe("Tab Two");
    // A page form from the stale tab gets the same refusal.
    const form = await client.form("/account?index", { intent: "profile", name: "x" }, { "x-infrapilot-org": org.id });
    expect(form.status).toBe(409);
    // The tab's socket reconnecting for the old org is refused; for the current one it is let in.
    const refused = await new Promise<string>((resolve) => {
      const s = io(`${server.url}/ui`, { transports: ["websocket"], extraHeaders: { cookie: client.cookieHeader(), origin: server.url }, reconnection: false, auth: { org: org.id } });
      s.on("connect_error", (e) => (s.close(), resolve(e.message)));
      s.on("hello", () => (s.close(), resolve("connected")));
    });
    expect(refused).toBe("org_mismatch");
    const current = await new Promise<string>((resolve) => {
      const s = io(`${server.url}/ui`, { transports: ["websocket"], extraHeaders: { cookie: client.cookieHeader(), origin: server.url }, reconnection: false, auth: { org: two.id } });
      s.on("connect_error", (e) => (s.close(), resolve(e.message)));
      s.on("hello", () => (s.close(), resolve("connected")));
    });
    expect(current).toBe("connected");
  });
});

describe("members and per-organization roles", () => {
  test("a user is admin in A and viewer in B, and the role applies only where it was given (both directions)", async () => {
    const a = await signUp("owner-a@roles.example", "Roles A");
    const b = await signUp("owner-b@roles.example", "Roles B");
    const x = await join_(a.client, "x@roles.example", "admin");
    await join_(b.client, "x@roles.example", "viewer", x);
    const y = await join_(a.client, "y@roles.example", "viewer");
    await join_(b.client, "y@roles.example", "admin", y);
    // Accepting moved each session to the org joined last (B).
    for (const [client, inA, inB] of [[x, 200, 403], [y, 403, 200]] as const) {
      await client.post("/api/v1/orgs/switch", { orgId: a.org.id });
      expect((await client.request("/api/v1/orgs/current/members")).status).toBe(inA);
      expect((await client.post("/api/v1/orgs/current/invitations", { email: `z${inA}@roles.example`, role: "viewer" })).status).toBe(inA === 200 ? 201 : 403);
      await client.post("/api/v1/orgs/switch", { orgId: b.org.id });
      expect((await client.request("/api/v1/orgs/current/members")).status).toBe(inB);
      expect((await client.post("/api/v1/orgs/current/invitations", { email: `w${inB}@roles.example`, role: "viewer" })).status).toBe(inB === 200 ? 201 : 403);
    }
    const roles = (await (await x.request("/api/v1/orgs")).json()).items.map((o: { name: string; role: string }) => `${o.name}:${o.role}`);
    expect(roles).toEqual(["Roles A:admin", "Roles B:viewer"]);
  });

  test("list, change role and remove; never the last super admin; no acting above your rank", async () => {
    const owner = await signUp("owner@members.example", "Members Org");
    const adminClient = await join_(owner.client, "adm@members.example", "admin");
    const viewerClient = await join_(owner.client, "view@members.example", "viewer");
    const members = (await (await owner.client.request("/api/v1/orgs/current/members")).json()).items;
    expect(members.map((m: { email: string; role: string }) => `${m.email}:${m.role}`)).toEqual(["owner@members.example:super_admin", "adm@members.example:admin", "view@members.example:viewer"]);
    expect(members[0]).toEqual({ userId: owner.userId, email: "owner@members.example", name: "owner", role: "super_admin", joinedAt: expect.any(String) });
    const viewerId = members[2].userId;

    const demoteSelf = await owner.client.request(`/api/v1/orgs/current/members/${owner.userId}`, { method: "PATCH", json: { role: "admin" } });
    expect(demoteSelf.status).toBe(409);
    expect((await demoteSelf.json()).error.code).toBe("last_super_admin");
    expect((await owner.client.request(`/api/v1/orgs/current/members/${owner.userId}`, { method: "DELETE" })).status).toBe(409);
    expect((await adminClient.request(`/api/v1/orgs/current/members/${owner.userId}`, { method: "DELETE" })).status).toBe(403);
    expect((await adminClient.request(`/api/v1/orgs/current/members/${viewerId}`, { method: "PATCH", json: { role: "super_admin" } })).status).toBe(403);
    expect((await adminClient.request(`/api/v1/orgs/current/members/${viewerId}`, { method: "PATCH", json: { role: "god" } })).status).toBe(400);
    expect((await adminClient.request(`/api/v1/orgs/current/members/${randomUUID()}`, { method: "PATCH", json: { role: "viewer" } })).status).toBe(404);

    const promoted = await adminClient.request(`/api/v1/orgs/current/members/${viewerId}`, { method: "PATCH", json: { role: "operator" } });
    expect(promoted.status).toBe(200);
    expect((await promoted.json()).role).toBe("operator");
    // The changed member's session in this org ended: they log in again under the new role.
    expect((await viewerClient.request("/api/v1/me")).status).toBe(401);

    expect((await adminClient.request(`/api/v1/orgs/current/members/${viewerId}`, { method: "DELETE" })).status).toBe(204);
    const after = (await (await owner.client.request("/api/v1/orgs/current/members")).json()).items;
    expect(after.map((m: { email: string }) => m.email)).not.toContain("view@members.example");
    // The account stays (it may belong elsewhere); only the membership went.
    expect((await db.query(`SELECT count(*)::int AS n FROM "User" WHERE email = 'view@members.example'`)).rows[0].n).toBe(1);
  });
});

describe("invitations", () => {
  let owner: Awaited<ReturnType<typeof signUp>>;
  beforeAll(async () => {
    owner = await signUp("owner@invites.example", "Invites Org");
  });

  async function invite(email: string, role = "operator") {
    const res = await owner.client.post("/api/v1/orgs/current/invitations", { email, role });
    expect(res.status).toBe(201);
    const body = await res.json();
    return { ...body, token: new URL(body.url).pathname.split("/").pop() as string };
  }

  test("an invitation is mailed through SMTP_URL with its link, valid 7 days; the list shows it pending", async () => {
    const created = await invite("New.Person@Invites.example");
    expect(created.invitation).toMatchObject({ email: "new.person@invites.example", role: "operator", state: "pending" });
    const days = (new Date(created.invitation.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    const [message] = await mail.waitFor(() => mail.mails, (m) => m.some((x) => x.to.includes("new.person@invites.example")));
    const received = mail.mails.find((x) => x.to.includes("new.person@invites.example"))!;
    expect(received.from).toBe("invites@infrapilot.test");
    expect(received.raw.replace(/=\r?\n/g, "")).toContain(created.url);
    expect(received.raw).toContain("Invites Org");
    expect(message).toBeDefined();
    const list = (await (await owner.client.request("/api/v1/orgs/current/invitations")).json()).items;
    expect(list.find((i: { id: string }) => i.id === created.invitation.id)).toMatchObject({ state: "pending" });
  });

  test("accepting as a new account creates it, joins with the role and logs in; the link then answers 410 used", async () => {
    const created = await invite("fresh@invites.example", "operator");
    const page = await new Client(server.url).request(`/invite/${created.token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Join Invites Org");
    const client = new Client(server.url);
    const weak = await client.post(`/api/v1/invitations/${created.token}/accept`, { name: "Fresh", password: "short" });
    expect(weak.status).toBe(400);
    const res = await client.post(`/api/v1/invitations/${created.token}/accept`, { name: "Fresh", password: PASSWORD });
    expect(res.status).toBe(200);
    expect((await res.json()).org).toMatchObject({ id: owner.org.id, name: "Invites Org", role: "operator" });
    expect((await (await client.request("/api/v1/me")).json()).user).toMatchObject({ email: "fresh@invites.example", role: "operator" });
    const again = await new Client(server.url).post(`/api/v1/invitations/${created.token}/accept`, { name: "Other", password: PASSWORD });
    expect(again.status).toBe(410);
    expect((await again.json()).error.code).toBe("invitation_used");
    const usedPage = await new Client(server.url).request(`/invite/${created.token}`);
    expect(usedPage.status).toBe(410);
    expect(await usedPage.text()).toContain("This invitation has been used");
  });

  test("revoked and expired links answer 410 saying which; unknown ones 404", async () => {
    const revoked = await invite("revoked@invites.example");
    expect((await owner.client.request(`/api/v1/orgs/current/invitations/${revoked.invitation.id}`, { method: "DELETE" })).status).toBe(204);
    const r = await new Client(server.url).post(`/api/v1/invitations/${revoked.token}/accept`, { name: "R", password: PASSWORD });
    expect(r.status).toBe(410);
    expect((await r.json()).error.code).toBe("invitation_revoked");
    const revokedPage = await new Client(server.url).request(`/invite/${revoked.token}`);
    expect(revokedPage.status).toBe(410);
    expect(await revokedPage.text()).toContain("withdrawn");

    const expired = await invite("expired@invites.example");
    await db.query(`UPDATE "Invitation" SET "expiresAt" = now() - interval '1 minute' WHERE id = $1`, [expired.invitation.id]);
    const e = await new Client(server.url).post(`/api/v1/invitations/${expired.token}/accept`, { name: "E", password: PASSWORD });
    expect(e.status).toBe(410);
    expect((await e.json()).error.code).toBe("invitation_expired");
    expect(await (await new Client(server.url).request(`/invite/${expired.token}`)).text()).toContain("expired");
    expect((await db.query(`SELECT count(*)::int AS n FROM "User" WHERE email IN ('revoked@invites.example', 'expired@invites.example')`)).rows[0].n).toBe(0);

    expect((await new Client(server.url).post(`/api/v1/invitations/${"x".repeat(43)}/accept`, { name: "U", password: PASSWORD })).status).toBe(404);
  });

  test("inviting an existing member is refused clearly; an existing account accepts only while logged in as that address", async () => {
    const member = await invite("fresh@invites.example").catch(() => null);
    expect(member).toBeNull();
    const dup = await owner.client.post("/api/v1/orgs/current/invitations", { email: "owner@invites.example", role: "viewer" });
    expect(dup.status).toBe(409);
    expect((await dup.json()).error).toMatchObject({ code: "already_member", message: expect.stringContaining("already a member") });

    const existing = await signUp("existing@elsewhere.example", "Elsewhere");
    const created = await invite("existing@elsewhere.example", "viewer");
    const anonymous = await new Client(server.url).post(`/api/v1/invitations/${created.token}/accept`, { name: "E", password: PASSWORD });
    expect(anonymous.status).toBe(409);
    expect((await anonymous.json()).error.code).toBe("account_exists");
    const stranger = await signUp("stranger@elsewhere.example", "Stranger");
    const wrong = await stranger.client.post(`/api/v1/invitations/${created.token}/accept`, {});
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.code).toBe("wrong_account");
    const ok = await existing.client.post(`/api/v1/invitations/${created.token}/accept`, {});
    expect(ok.status).toBe(200);
    expect(await currentOrgId(existing.client)).toBe(owner.org.id);
    const orgs = (await (await existing.client.request("/api/v1/orgs")).json()).items.map((o: { name: string; role: string }) => `${o.name}:${o.role}`);
    expect(orgs).toEqual(["Elsewhere:super_admin", "Invites Org:viewer"]);
  });

  test("viewers cannot invite; admins cannot invite above their rank; bad input is 400", async () => {
    const viewer = await join_(owner.client, "v@invites.example", "viewer");
    expect((await viewer.post("/api/v1/orgs/current/invitations", { email: "q@invites.example", role: "viewer" })).status).toBe(403);
    const adminClient = await join_(owner.client, "a@invites.example", "admin");
    expect((await adminClient.post("/api/v1/orgs/current/invitations", { email: "q@invites.example", role: "super_admin" })).status).toBe(403);
    const bad = await owner.client.post("/api/v1/orgs/current/invitations", { email: "nope", role: "king" });
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fields).sort()).toEqual(["email", "role"]);
  });
});

describe("deleting an organization", () => {
  test("owner only, slug typed; every row with its id and its files go; another member's next request says it was deleted", async () => {
    const owner = await signUp("owner@doomed.example", "Doomed Org");
    const orgId = owner.org.id;
    const member = await join_(owner.client, "member@doomed.example", "admin");
    const keeper = await signUp("keeper@other.example", "Survivor Org");
    // Rows in many tables: tokens, invitations, monitors, settings, audit, sessions, memberships.
    expect((await owner.client.post("/api/v1/tokens", { name: "ci", scope: "read" })).status).toBe(201);
    expect((await owner.client.post("/api/v1/orgs/current/invitations", { email: "later@doomed.example", role: "viewer" })).status).toBe(201);
    expect((await owner.client.post("/api/v1/monitors", { name: "beat", type: "push", config: {}, intervalSeconds: 60 })).status).toBe(201);
    expect((await owner.client.request("/api/v1/logs/settings", { method: "PATCH", json: { retentionDays: 14 } })).status).toBe(200);
    const filesDir = join(server.dataDir, "logs");
    mkdirSync(filesDir, { recursive: true });
    const orgFile = join(filesDir, `proxy-offsets-${orgId}.json`);
    writeFileSync(orgFile, "{}");
    const ui = await connectUi(server, member);
    const memberSocketClosed = new Promise<string>((resolve) => ui.socket.on("disconnect", (r) => resolve(r)));

    expect((await member.request("/api/v1/orgs/current", { method: "DELETE", json: { confirm: owner.org.slug } })).status).toBe(403);
    const wrong = await owner.client.request("/api/v1/orgs/current", { method: "DELETE", json: { confirm: "doomed" } });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.fields.confirm).toContain(owner.org.slug);
    expect((await owner.client.request("/api/v1/orgs/current", { method: "DELETE", json: {} })).status).toBe(400);

    const deleted = await owner.client.request("/api/v1/orgs/current", { method: "DELETE", json: { confirm: owner.org.slug } });
    expect(deleted.status).toBe(204);

    const { rows: tables } = await db.query(`
      SELECT c.relname AS t FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND a.attname = 'orgId' AND NOT a.attisdropped AND c.relkind IN ('r', 'p')`);
    expect(tables.length).toBeGreaterThan(15);
    for (const { t } of tables) {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${t}" WHERE "orgId" = $1`, [orgId]);
      expect(rows[0].n, `rows left in ${t}`).toBe(0);
    }
    expect((await db.query(`SELECT count(*)::int AS n FROM "Organization" WHERE id = $1`, [orgId])).rows[0].n).toBe(0);
    expect(existsSync(orgFile)).toBe(false);
    // Another organization is untouched.
    expect((await (await keeper.client.request("/api/v1/orgs/current")).json()).name).toBe("Survivor Org");

    expect(await memberSocketClosed).toBe("io server disconnect");
    const page = await member.request("/dashboard");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/organization-deleted");
    const notice = await member.request("/organization-deleted");
    expect(notice.status).toBe(200);
    expect(await notice.text()).toContain("Doomed Org");
    const api = await new Client(server.url).request("/api/v1/me", { headers: { cookie: owner.client.cookieHeader() } });
    expect(api.status).toBe(401);
    expect((await api.json()).error.code).toBe("org_deleted");
  });
});
