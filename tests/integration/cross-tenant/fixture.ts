// Two organizations with a super admin each, made directly in the database with the owner's URL
// (sign-up is not this suite's subject), then A's objects made through A's own API the way a user
// would, plus the few rows no API creates (an alert that fired). Every A object carries a marker
// string that must never appear in anything B is shown.
import pg from "pg";
import { randomUUID } from "node:crypto";
import { hashPassword } from "~/server/auth/password.server";
import { makeChain } from "../../setup/cert-chain";
import { Client, type TestServer } from "../../setup/server";
import type { World } from "./cases";

export const PASSWORD = "cross tenant test password";
/** Strings only A's objects contain: names, domains, e-mails. */
export const A_MARKERS = ["zz-a-secret-host.test", "zz-a-secret-list", "zz-a-secret-cert.test", "zz-a-secret-channel", "zz-a-secret-rule", "zz-a-secret-alert", "zz-a-secret-monitor", "zz-a-secret-page", "zz-a-secret-member@example.com", "zz-a-secret-token", "zz-a-admin@example.com", "zz-a-secret-invitee@example.com", "zz-a-secret-enroll", "zz-a-secret-post", "zz-a-secret-sso"];

export interface Org {
  orgId: string;
  userId: string;
  agentId: string;
  client: Client;
}

export async function createOrg(server: TestServer, db: pg.Client, label: string, email: string): Promise<Org> {
  const orgId = randomUUID();
  const userId = randomUUID();
  const agentId = randomUUID();
  await db.query(`INSERT INTO "Organization" (id, name, slug) VALUES ($1, $2, $3)`, [orgId, `Org ${label}`, `org-${label}-${orgId.slice(0, 8)}`]);
  await db.query(`INSERT INTO "User" (id, email, name, "passwordHash") VALUES ($1, $2, $3, $4)`, [userId, email, `Admin ${label}`, await hashPassword(PASSWORD)]);
  await db.query(`INSERT INTO "Membership" (id, "orgId", "userId", role) VALUES ($1, $2, $3, 'super_admin')`, [randomUUID(), orgId, userId]);
  // The organization's agent: SaaS has no built-in agent (a `local` row answers 404 there), so the
  // row is a remote agent's, as enrollment would make it (never connected in this suite).
  await db.query(`INSERT INTO "Agent" (id, "orgId", name, kind) VALUES ($1, $2, 'edge', 'remote')`, [agentId, orgId]);
  const client = new Client(server.url);
  const login = await client.post("/api/v1/auth/login", { email, password: PASSWORD });
  if (login.status !== 200) throw new Error(`login of ${email} failed: ${login.status} ${await login.text()}`);
  return { orgId, userId, agentId, client };
}

async function created<T = { id: string }>(res: Response, what: string): Promise<T> {
  if (res.status !== 201 && res.status !== 200) throw new Error(`creating ${what} failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A's objects, one of each kind a route can name. */
export async function populateA(server: TestServer, db: pg.Client, a: Org, b: Org): Promise<World> {
  const c = a.client;
  const list = await created(await c.post("/api/v1/access-lists", { name: "zz-a-secret-list", satisfy: "all", users: [], rules: [{ action: "allow", address: "10.0.0.0/8" }, { action: "deny", address: "all" }] }), "access list");
  const pki = makeChain(["zz-a-secret-cert.test"]);
  const cert = await created(await c.post("/api/v1/certificates", { domains: ["zz-a-secret-cert.test"], mode: "custom", certificatePem: pki.leaf + pki.intermediate, keyPem: pki.leafKey }), "certificate");
  const host = await created(
    await c.post(`/api/v1/agents/${a.agentId}/proxies?wait=false`, { kind: "proxy", domains: ["zz-a-secret-host.test"], upstream: { scheme: "http", host: "127.0.0.1", port: 9 }, accessListId: list.id }),
    "proxy host",
  );
  const channel = await created(await c.post("/api/v1/alerts/channels", { name: "zz-a-secret-channel", type: "webhook", config: { url: "http://127.0.0.1:9/a" } }), "channel");
  // Disabled, so the alert engine leaves it (and its state rows) alone while the suite runs.
  const rule = await created(await c.post("/api/v1/alerts/rules", { name: "zz-a-secret-rule", type: "cpu", threshold: 90, enabled: false, channelIds: [channel.id] }), "rule");
  const monitor = await created(await c.post("/api/v1/monitors", { name: "zz-a-secret-monitor", type: "http", intervalSeconds: 3600, enabled: false, config: { url: "http://127.0.0.1:9/a" }, channelIds: [channel.id] }), "monitor");
  const page = await created<{ id: string; slug: string }>(await c.post("/api/v1/status-pages", { slug: `zz-a-secret-page-${a.orgId.slice(0, 6)}`, title: "zz-a-secret-page", monitorIds: [monitor.id] }), "status page");
  const member = await created(await c.post("/api/v1/users", { email: "zz-a-secret-member@example.com", name: "A member", role: "operator", password: "an initial password from A" }), "member");
  const token = await created(await c.post("/api/v1/tokens", { name: "zz-a-secret-token", scope: "admin" }), "token");
  const invitation = await created<{ invitation: { id: string } }>(await c.post("/api/v1/orgs/current/invitations", { email: "zz-a-secret-invitee@example.com", role: "viewer" }), "invitation");
  const enrollment = await created<{ token: { id: string } }>(
    await c.post("/api/v1/agents/enrollment-tokens", { name: "zz-a-secret-enroll", expiresAt: new Date(Date.now() + 86_400_000).toISOString(), maxUses: 1 }),
    "enrollment token",
  );
  const sso = await created(
    await c.post("/api/v1/sso/providers", { type: "ldap", name: "zz-a-secret-sso", config: { url: "ldaps://127.0.0.1:9", userBase: "ou=zz-a-secret-sso,dc=example,dc=com", bindDn: "cn=reader,dc=example,dc=com", bindPassword: "zz-a-secret-sso-password" } }),
    "SSO provider",
  );
  const post = await created(await c.post(`/api/v1/status-pages/${page.id}/posts`, { kind: "incident", title: "zz-a-secret-post", status: "investigating" }), "status page post");
  // What no API creates: an alert that fired (and a monitor's history), inserted as the owner.
  const eventId = randomUUID();
  await db.query(
    `INSERT INTO "AlertEvent" (id, "orgId", "ruleId", "ruleName", "ruleType", target, "targetName", message) VALUES ($1, $2, $3, 'zz-a-secret-rule', 'cpu', 'container:x', 'zz-a-secret-alert', 'zz-a-secret-alert fired')`,
    [eventId, a.orgId, rule.id],
  );
  await db.query(`INSERT INTO "MonitorResult" ("orgId", "monitorId", ok, message) VALUES ($1, $2, false, 'zz-a-secret-monitor down')`, [a.orgId, monitor.id]);
  await db.query(`INSERT INTO "MonitorIncident" (id, "orgId", "monitorId", kind, message) VALUES ($1, $2, $3, 'down', 'zz-a-secret-monitor down')`, [randomUUID(), a.orgId, monitor.id]);
  const forwarderId = randomUUID();
  await db.query(`INSERT INTO "AuditForwarder" (id, "orgId", type, config, enabled) VALUES ($1, $2, 'syslog', $3, false)`, [
    forwarderId,
    a.orgId,
    JSON.stringify({ host: "zz-a-secret-forwarder.example", port: 6514, protocol: "tls", caCertPem: null }),
  ]);
  const session = await db.query<{ id: string }>(`SELECT id FROM "Session" WHERE "userId" = $1 ORDER BY "createdAt" LIMIT 1`, [a.userId]);
  return {
    a: {
      orgId: a.orgId,
      agentId: a.agentId,
      proxyHostId: host.id,
      accessListId: list.id,
      certificateId: cert.id,
      channelId: channel.id,
      ruleId: rule.id,
      eventId,
      monitorId: monitor.id,
      statusPageId: page.id,
      memberId: member.id,
      memberEmail: "zz-a-secret-member@example.com",
      tokenId: token.id,
      invitationId: invitation.invitation.id,
      enrollmentTokenId: enrollment.token.id,
      postId: post.id,
      forwarderId,
      ssoProviderId: sso.id,
      sessionShortId: session.rows[0]!.id.slice(0, 16),
    },
    b: { orgId: b.orgId, agentId: b.agentId },
  };
}

/** Tables whose rows belong to an organization (they have an orgId column). */
async function tenantTables(db: pg.Client): Promise<string[]> {
  const { rows } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'orgId' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

/** Columns that move by themselves while a session is used (not something B could change). */
const VOLATILE: Record<string, string[]> = { Session: ["lastSeenAt", "expiresAt"], User: ["lastLoginAt"], ApiToken: ["lastUsedAt"] };
/** Tables a background job writes on its own schedule (the audit chain's periodic checkpoints), whoever makes requests. */
const BACKGROUND = ["AuditCheckpoint"];

function stable(table: string, row: Record<string, unknown>): Record<string, unknown> {
  const out = { ...row };
  for (const col of VOLATILE[table] ?? []) delete out[col];
  return out;
}

/**
 * Everything of one organization, read as the owner: each tenant table's rows, the organization,
 * and its members' user rows. `skip` leaves out tables the organization itself writes to as a
 * side effect of making requests (B's own audit trail).
 */
export async function snapshot(db: pg.Client, orgId: string, skip: string[] = []): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of await tenantTables(db)) {
    if (skip.includes(table) || BACKGROUND.includes(table)) continue;
    const { rows } = await db.query(`SELECT * FROM "${table}" WHERE "orgId" = $1 ORDER BY 1`, [orgId]);
    out[table] = rows.map((r) => stable(table, r));
  }
  out.Organization = (await db.query(`SELECT * FROM "Organization" WHERE id = $1`, [orgId])).rows;
  out.User = (await db.query(`SELECT u.* FROM "User" u JOIN "Membership" m ON m."userId" = u.id WHERE m."orgId" = $1 ORDER BY u.id`, [orgId])).rows.map((r) => stable("User", r));
  return out;
}

export async function targetRow(db: pg.Client, orgId: string, target: { table: string; column?: string; id: string }): Promise<unknown> {
  const column = target.column ?? "id";
  const { rows } = await db.query(`SELECT * FROM "${target.table}" WHERE "${column}" = $1 AND "orgId" = $2`, [target.id, orgId]);
  return rows[0];
}

/**
 * A user who belongs to both organizations (an admin in A, a viewer in B), logged in to A: what B
 * may do to its own member must not reach the account A relies on.
 */
export async function sharedMember(server: TestServer, db: pg.Client, a: Org, b: Org): Promise<{ id: string; client: Client }> {
  const id = randomUUID();
  await db.query(`INSERT INTO "User" (id, email, name, "passwordHash") VALUES ($1, 'shared@example.com', 'Shared member', $2)`, [id, await hashPassword(PASSWORD)]);
  await db.query(`INSERT INTO "Membership" (id, "orgId", "userId", role) VALUES ($1, $2, $3, 'admin'), ($4, $5, $3, 'viewer')`, [randomUUID(), a.orgId, id, randomUUID(), b.orgId]);
  const client = new Client(server.url);
  const login = await client.post("/api/v1/auth/login", { email: "shared@example.com", password: PASSWORD });
  if (login.status !== 200) throw new Error(`login of the shared member failed: ${login.status} ${await login.text()}`);
  // Login picks one of its organizations; this session is to act in A (as an org switch would do).
  await db.query(`UPDATE "Session" SET "orgId" = $1 WHERE "userId" = $2`, [a.orgId, id]);
  return { id, client };
}
