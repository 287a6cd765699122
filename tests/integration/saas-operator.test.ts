// The SaaS platform operator, plans and the operator console through the real server
// (EDITION=saas): /setup creates an operator with no organization; the operator's session serves
// no tenant route; plan limits answer 402 plan_limit; the operator changes plans and suspends
// organizations, and every such action lands in the platform audit trail.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { generate } from "otplib";
import { Client, startServer, type TestServer } from "../setup/server";
import { hashPassword } from "~/server/auth/password.server";

const OPERATOR = { email: "ops@service.example", name: "Olga Operator", password: "operator password of some length" };
const TENANT_PASSWORD = "tenant password of some length";

let server: TestServer;
let db: pg.Client;
let operator: Client;
let tenantHash: string;

/** A customer organization with one super_admin, made in SQL (sign-up is another part of issue 12). */
async function tenantOrg(name: string): Promise<{ orgId: string; owner: Client; email: string }> {
  const orgId = randomUUID();
  const userId = randomUUID();
  const email = `owner-${orgId.slice(0, 8)}@customer.example`;
  await db.query(`INSERT INTO "Organization" (id, name, slug) VALUES ($1, $2, $3)`, [orgId, name, `${name.toLowerCase().replace(/\W+/g, "-")}-${orgId.slice(0, 6)}`]);
  await db.query(`INSERT INTO "User" (id, email, name, "passwordHash") VALUES ($1, $2, $3, $4)`, [userId, email, `${name} owner`, tenantHash]);
  await db.query(`INSERT INTO "Membership" (id, "orgId", "userId", role) VALUES ($1, $2, $3, 'super_admin')`, [randomUUID(), orgId, userId]);
  const owner = new Client(server.url);
  const login = await owner.post("/api/v1/auth/login", { email, password: TENANT_PASSWORD });
  expect(login.status).toBe(200);
  return { orgId, owner, email };
}

async function errorOf(res: Response): Promise<{ code: string; message: string; limit?: string; fields?: Record<string, string> }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

beforeAll(async () => {
  tenantHash = await hashPassword(TENANT_PASSWORD);
  server = await startServer({ env: { EDITION: "saas" } });
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  operator = new Client(server.url);
});
afterAll(async () => {
  await db?.end();
  await server?.stop();
});

describe("setting up the platform operator", () => {
  test("/setup creates a platform admin with no organization and no membership", async () => {
    expect(await (await operator.request("/api/v1/setup")).json()).toEqual({ needed: true });
    const res = await operator.post("/api/v1/setup", OPERATOR);
    expect(res.status).toBe(201);
    const { user } = (await res.json()) as { user: Record<string, unknown> };
    expect(user).toMatchObject({ email: OPERATOR.email, platformAdmin: true, role: null });
    const { rows } = await db.query(`SELECT u."platformAdmin", (SELECT count(*) FROM "Membership" m WHERE m."userId" = u.id)::int AS memberships FROM "User" u WHERE email = $1`, [OPERATOR.email]);
    expect(rows).toEqual([{ platformAdmin: true, memberships: 0 }]);
    expect((await db.query(`SELECT count(*)::int AS n FROM "Organization"`)).rows[0].n).toBe(0);
    expect(await (await operator.request("/api/v1/setup")).json()).toEqual({ needed: false });
  });

  test("a second setup is refused with 409", async () => {
    const res = await new Client(server.url).post("/api/v1/setup", { ...OPERATOR, email: "other@service.example" });
    expect(res.status).toBe(409);
  });

  test("the operator logs in to a session without an organization and lands on the console", async () => {
    const res = await operator.post("/api/v1/auth/login", { email: OPERATOR.email, password: OPERATOR.password });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { platformAdmin: boolean } }).user.platformAdmin).toBe(true);
    const { rows } = await db.query(`SELECT s."orgId" FROM "Session" s JOIN "User" u ON u.id = s."userId" WHERE u.email = $1`, [OPERATOR.email]);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.orgId).toBeNull();
    const page = await operator.request("/dashboard");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/admin");
    expect((await operator.request("/login")).headers.get("location")).toBe("/admin");
    expect((await operator.request("/admin")).status).toBe(200);
  });

  test("no tenant API serves the operator's session", async () => {
    for (const path of ["/api/v1/me", "/api/v1/users", "/api/v1/audit", "/api/v1/proxies", "/api/v1/orgs/current/plan", "/api/v1/logs/settings"]) {
      const res = await operator.request(path);
      expect([401, 404], path).toContain(res.status);
    }
    expect((await operator.post("/api/v1/users", { email: "x@example.com", name: "X", role: "viewer" })).status).toBe(401);
  });
});

describe("the operator console API", () => {
  test("lists every organization with plan, members, agents and usage; tenants and strangers are refused", async () => {
    const a = await tenantOrg("Acme");
    await db.query(`INSERT INTO "Agent" (id, "orgId", name, kind) VALUES ($1, $2, 'edge-1', 'remote')`, [randomUUID(), a.orgId]);
    const res = await operator.request("/api/v1/admin/orgs");
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Record<string, unknown>[] };
    const acme = items.find((o) => o.id === a.orgId);
    expect(acme).toMatchObject({ name: "Acme", plan: "free", members: 1, agents: 1, suspended: false, usage: { members: 1, agents: 1, logBytesThisMonth: 0 } });
    expect(typeof acme!.createdAt).toBe("string");
    expect(acme!.slug).toMatch(/^acme-/);

    expect((await a.owner.request("/api/v1/admin/orgs")).status).toBe(403);
    expect((await errorOf(await a.owner.request(`/api/v1/admin/orgs/${a.orgId}`, { method: "PATCH", json: { suspended: true } }))).code).toBe("platform_admin_required");
    expect((await new Client(server.url).request("/api/v1/admin/orgs")).status).toBe(401);
    expect((await a.owner.request("/admin")).status).toBe(403);
  });

  test("bad changes are 400 with field errors; unknown organizations 404", async () => {
    const { orgId } = await tenantOrg("Bad Input");
    const bad = await operator.request(`/api/v1/admin/orgs/${orgId}`, { method: "PATCH", json: { plan: "enterprise", suspended: "yes" } });
    expect(bad.status).toBe(400);
    expect(Object.keys((await errorOf(bad)).fields ?? {}).sort()).toEqual(["plan", "suspended"]);
    expect((await operator.request(`/api/v1/admin/orgs/${orgId}`, { method: "PATCH", json: {} })).status).toBe(400);
    expect((await operator.request(`/api/v1/admin/orgs/${randomUUID()}`, { method: "PATCH", json: { plan: "team" } })).status).toBe(404);
    expect((await operator.request(`/api/v1/admin/orgs/not-an-id`, { method: "PATCH", json: { plan: "team" } })).status).toBe(404);
    const { rows } = await db.query(`SELECT plan FROM "Organization" WHERE id = $1`, [orgId]);
    expect(rows[0].plan).toBe("free");
  });
});

describe("plans and limits", () => {
  test("GET /orgs/current/plan shows the plan, its limits and the usage", async () => {
    const { owner } = await tenantOrg("Planned");
    const res = await owner.request("/api/v1/orgs/current/plan");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      plan: "free",
      limits: { agents: 1, members: 3, logRetentionDays: 7, logBytesPerMonth: 1024 ** 3 },
      usage: { agents: 0, members: 1, logBytesThisMonth: 0 },
    });
  });

  test("past the member limit adding a member is 402 plan_limit; a larger plan set by the operator allows it", async () => {
    const { orgId, owner } = await tenantOrg("Crowded");
    for (const n of [1, 2]) expect((await owner.post("/api/v1/users", { email: `m${n}-${orgId.slice(0, 6)}@customer.example`, name: `M${n}`, role: "viewer", password: "a long enough password" })).status).toBe(201);
    const refused = await owner.post("/api/v1/users", { email: `m3-${orgId.slice(0, 6)}@customer.example`, name: "M3", role: "viewer", password: "a long enough password" });
    expect(refused.status).toBe(402);
    const error = await errorOf(refused);
    expect(error).toMatchObject({ code: "plan_limit", limit: "members" });
    expect(error.message).toMatch(/Free plan allows 3 members.*larger plan/);
    expect((await db.query(`SELECT count(*)::int AS n FROM "User" WHERE email = $1`, [`m3-${orgId.slice(0, 6)}@customer.example`])).rows[0].n).toBe(0);

    const changed = await operator.request(`/api/v1/admin/orgs/${orgId}`, { method: "PATCH", json: { plan: "team" } });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ id: orgId, plan: "team", limits: { members: 25 } });
    expect((await owner.post("/api/v1/users", { email: `m3-${orgId.slice(0, 6)}@customer.example`, name: "M3", role: "viewer", password: "a long enough password" })).status).toBe(201);
  });

  test("log retention beyond the plan is 402 plan_limit naming logRetentionDays", async () => {
    const { owner } = await tenantOrg("Retention");
    const res = await owner.request("/api/v1/logs/settings", { method: "PATCH", json: { retentionDays: 30 } });
    expect(res.status).toBe(402);
    expect(await errorOf(res)).toMatchObject({ code: "plan_limit", limit: "logRetentionDays" });
    expect((await owner.request("/api/v1/logs/settings", { method: "PATCH", json: { retentionDays: 5 } })).status).toBe(200);
  });
});

describe("suspension", () => {
  test("a suspended organization's members log in and read; every write, API tokens included, is 403 org_suspended", async () => {
    const { orgId, owner, email } = await tenantOrg("Suspended Co");
    const tokenRes = await owner.post("/api/v1/tokens", { name: "ci", scope: "admin" });
    expect(tokenRes.status).toBe(201);
    const secret = ((await tokenRes.json()) as { secret: string }).secret;
    const bearer = (init: RequestInit = {}) => fetch(`${server.url}/api/v1/users`, { ...init, headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" } });

    const res = await operator.request(`/api/v1/admin/orgs/${orgId}`, { method: "PATCH", json: { suspended: true } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ suspended: true });

    const again = new Client(server.url);
    expect((await again.post("/api/v1/auth/login", { email, password: TENANT_PASSWORD })).status).toBe(200);
    expect((await again.request("/api/v1/users")).status).toBe(200);
    expect((await again.request("/api/v1/orgs/current/plan")).status).toBe(200);
    expect(((await (await again.request("/api/v1/orgs/current/plan")).json()) as { suspended: boolean }).suspended).toBe(true);

    const writes: Response[] = [
      await again.post("/api/v1/users", { email: `s-${orgId.slice(0, 6)}@customer.example`, name: "S", role: "viewer", password: "a long enough password" }),
      await again.request("/api/v1/logs/settings", { method: "PATCH", json: { retentionDays: 3 } }),
      await again.post("/api/v1/tokens", { name: "another", scope: "read" }),
      await again.post("/api/v1/alerts/channels", { name: "x", type: "webhook", config: { url: "http://127.0.0.1:1/" } }),
      await bearer({ method: "POST", body: JSON.stringify({ email: `t-${orgId.slice(0, 6)}@customer.example`, name: "T", role: "viewer", password: "a long enough password" }) }),
    ];
    for (const w of writes) {
      expect(w.status).toBe(403);
      expect((await errorOf(w)).code).toBe("org_suspended");
    }
    expect((await bearer()).status).toBe(200);
    // A page action too.
    const form = await again.form("/users", { intent: "create", email: "p@customer.example", name: "P", role: "viewer" });
    expect(form.status).toBe(403);
    // Their own account stays theirs: logging out works.
    expect((await again.post("/api/v1/auth/logout", {})).status).toBe(204);

    expect((await operator.request(`/api/v1/admin/orgs/${orgId}`, { method: "PATCH", json: { suspended: false } })).status).toBe(200);
    expect((await owner.post("/api/v1/users", { email: `s-${orgId.slice(0, 6)}@customer.example`, name: "S", role: "viewer", password: "a long enough password" })).status).toBe(201);
  });
});

describe("the platform audit trail", () => {
  test("records every operator action, for the operator only; the organization's own trail notes the suspension", async () => {
    const { orgId, owner } = await tenantOrg("Audited");
    await operator.request(`/api/v1/admin/orgs/${orgId}`, { method: "PATCH", json: { plan: "business", suspended: true } });
    const res = await operator.request("/api/v1/admin/audit?limit=500");
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: { action: string; targetOrgId: string | null; actorEmail: string; details: Record<string, unknown> }[] };
    const actions = items.map((i) => i.action);
    expect(actions).toEqual(expect.arrayContaining(["operator.setup", "operator.login", "org.plan.change", "org.suspend", "org.unsuspend"]));
    expect(items.find((i) => i.targetOrgId === orgId && i.action === "org.plan.change")).toMatchObject({ actorEmail: OPERATOR.email, details: { from: "free", to: "business" } });
    expect((await owner.request("/api/v1/admin/audit")).status).toBe(403);
    const tenantTrail = (await (await owner.request("/api/v1/audit?limit=50")).json()) as { items: { action: string }[] };
    expect(tenantTrail.items.map((i) => i.action)).toEqual(expect.arrayContaining(["org.suspend", "org.plan.change"]));
  });
});

describe("the operator's second factor", () => {
  test("the operator enrols TOTP and then logs in through the MFA challenge", async () => {
    const setup = await operator.post("/api/v1/auth/mfa/setup", {});
    expect(setup.status).toBe(200);
    const { secret } = (await setup.json()) as { secret: string };
    const step = Math.floor(Date.now() / 30_000);
    expect((await operator.post("/api/v1/auth/mfa/enable", { code: await generate({ secret, epoch: step * 30 }) })).status).toBe(200);
    expect((await operator.post("/api/v1/auth/logout", {})).status).toBe(204);
    expect((await operator.request("/api/v1/admin/orgs")).status).toBe(401);

    const login = await operator.post("/api/v1/auth/login", { email: OPERATOR.email, password: OPERATOR.password });
    const body = (await login.json()) as { mfaRequired: boolean; challenge: string };
    expect(body.mfaRequired).toBe(true);
    const verify = await operator.post("/api/v1/auth/mfa/verify", { challenge: body.challenge, code: await generate({ secret, epoch: (step + 1) * 30 }) });
    expect(verify.status).toBe(200);
    expect((await operator.request("/api/v1/admin/orgs")).status).toBe(200);
    expect((await operator.request("/api/v1/me")).status).toBe(401);
  });
});

describe("Community", () => {
  test("has no operator console and no plan API (404), and /setup still creates an organization's super admin", async () => {
    const community = await startServer();
    try {
      const c = new Client(community.url);
      const setup = await c.post("/api/v1/setup", { email: "admin@example.com", name: "Ada", password: "correct horse battery staple" });
      expect(setup.status).toBe(201);
      expect(((await setup.json()) as { user: { role: string } }).user.role).toBe("super_admin");
      await c.post("/api/v1/auth/login", { email: "admin@example.com", password: "correct horse battery staple" });
      expect((await c.request("/api/v1/admin/orgs")).status).toBe(404);
      expect((await c.request("/api/v1/admin/audit")).status).toBe(404);
      expect((await c.request("/api/v1/orgs/current/plan")).status).toBe(404);
      expect((await c.request("/admin")).status).toBe(404);
    } finally {
      await community.stop();
    }
  });
});
