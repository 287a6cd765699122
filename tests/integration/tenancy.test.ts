// Row-level security is the wall between organizations; these tests go around the app's own code
// and ask Postgres directly, as the app's role, what it can see and change.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { setupTestDb, type TestDb } from "../setup/db";
import { systemDb, withOrg } from "~/server/db/client.server";
import { appRoleName, assertAppRoleIsConfined } from "~/server/db/bootstrap.server";

let db: TestDb;
const orgA = randomUUID();
const orgB = randomUUID();

beforeAll(async () => {
  db = await setupTestDb();
  for (const [id, name] of [[orgA, "A"], [orgB, "B"]] as const) {
    await withOrg(id, async (tx) => {
      await tx.organization.create({ data: { id, name, slug: name.toLowerCase() } });
      await tx.agent.create({ data: { orgId: id, name: `agent-${name}` } });
      await tx.setting.create({ data: { orgId: id, key: "retention", value: { days: 7 } } });
    });
  }
});

afterAll(async () => {
  await db?.close();
});

describe("row-level security", () => {
  test("an organization sees its own rows and none of another's", async () => {
    const seenByA = await withOrg(orgA, (tx) => tx.agent.findMany({ select: { name: true, orgId: true } }));
    expect(seenByA).toEqual([{ name: "agent-A", orgId: orgA }]);
    const orgsSeenByB = await withOrg(orgB, (tx) => tx.organization.findMany({ select: { id: true } }));
    expect(orgsSeenByB).toEqual([{ id: orgB }]);
  });

  test("a row of org A is invisible from org B even when asked for by id", async () => {
    const agentA = await withOrg(orgA, (tx) => tx.agent.findFirstOrThrow());
    expect(await withOrg(orgB, (tx) => tx.agent.findUnique({ where: { id: agentA.id } }))).toBeNull();
  });

  test("with no organization set, tenant tables look empty rather than failing", async () => {
    // systemDb() has no tenant model (a compile error: tests/unit/system-db.test.ts); raw SQL
    // through it still reaches the tables, and RLS answers with nothing.
    const counts = await systemDb().$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM "Agent" UNION ALL SELECT count(*) FROM "Organization"
      UNION ALL SELECT count(*) FROM "Setting" UNION ALL SELECT count(*) FROM "AuditLog"`;
    expect(counts).toEqual([{ n: 0n }, { n: 0n }, { n: 0n }, { n: 0n }]);
  });

  test("updates and deletes across organizations affect no rows", async () => {
    const agentA = await withOrg(orgA, (tx) => tx.agent.findFirstOrThrow());
    const updated = await withOrg(orgB, (tx) => tx.agent.updateMany({ where: { id: agentA.id }, data: { name: "hijacked" } }));
    expect(updated.count).toBe(0);
    const deleted = await withOrg(orgB, (tx) => tx.agent.deleteMany({ where: { id: agentA.id } }));
    expect(deleted.count).toBe(0);
    const settings = await withOrg(orgB, (tx) => tx.setting.deleteMany({}));
    expect(settings.count).toBe(1); // only B's own
    const still = await db.admin.query(`SELECT name FROM "Agent" WHERE id = $1`, [agentA.id]);
    expect(still.rows).toEqual([{ name: "agent-A" }]);
    const aSettings = await db.admin.query(`SELECT count(*)::int AS n FROM "Setting" WHERE "orgId" = $1`, [orgA]);
    expect(aSettings.rows[0].n).toBe(1);
  });

  test("writing a row into another organization is refused by the policy", async () => {
    await expect(withOrg(orgB, (tx) => tx.agent.create({ data: { orgId: orgA, name: "planted" } }))).rejects.toThrow(/row-level security/);
  });

  test("the setting does not leak past its transaction to the next user of the connection", async () => {
    await withOrg(orgA, (tx) => tx.agent.count());
    const rows = await systemDb().$queryRaw<{ org: string | null }[]>`SELECT current_setting('app.org_id', true) AS org`;
    expect(rows[0]?.org ?? "").toBe("");
  });

  test("every table with an orgId column has row-level security enabled", async () => {
    const { rows } = await db.admin.query<{ relname: string; relrowsecurity: boolean }>(`
      SELECT c.relname, c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'orgId' AND NOT a.attisdropped)
         AND c.relname NOT IN ('Session', 'MfaChallenge', 'ApiToken', 'Invitation')`);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const r of rows) expect(r.relrowsecurity, r.relname).toBe(true);
  });

  test("the SECURITY DEFINER functions that cross tenants are exactly those decision 001 lists and reviews", async () => {
    const { rows } = await db.admin.query<{ proname: string; config: string[] | null }>(`
      SELECT p.proname, p.proconfig AS config FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public' AND p.prosecdef ORDER BY p.proname`);
    // A new one must be reviewed and added to docs/decisions/001-tenancy-rls.md (and here).
    expect(rows.map((r) => r.proname)).toEqual([
      "alert_rule_org_ids",
      "audit_apply_retention",
      "auth_user_memberships",
      "auth_user_orgs",
      "domain_taken_by_other_org",
      "enrollment_token_org",
      "log_line_apply_retention",
      "log_line_ensure_partitions",
      "log_line_index_closed_hours",
      "log_line_index_closed_partitions",
      "log_line_search",
      "metrics_alerts_firing",
      "metrics_certificates",
      "metrics_proxy_apply",
      "monitor_org_ids",
      "monitor_push_beat",
      "organization_ids",
      "platform_org_summaries",
      "remote_agent_org",
      "remote_agents_all_offline",
      "sso_org_by_slug",
      "sso_provider_org",
      "status_page_org",
    ]);
    // Each pins its search_path, so a caller cannot shadow the tables it reads.
    for (const r of rows) expect((r.config ?? []).some((c) => /^search_path=(pg_catalog, )?public$/.test(c)), `${r.proname}: ${r.config}`).toBe(true);
  });
});

describe("the application role", () => {
  test("is not superuser, cannot bypass RLS and owns no table", async () => {
    const database = new URL(db.adminUrl).pathname.slice(1);
    const { rows } = await db.admin.query(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`, [appRoleName(database)]);
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false }]);
    const owned = await db.admin.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1`, [appRoleName(database)]);
    expect(owned.rows[0].n).toBe(0);
    await expect(assertAppRoleIsConfined(db.appUrl)).resolves.toBeUndefined();
  });

  test("startup refuses a role that could bypass row-level security", async () => {
    await expect(assertAppRoleIsConfined(db.adminUrl)).rejects.toThrow(/Refusing to start: the application database role is a superuser/);
  });

  test("cannot rewrite the migration history", async () => {
    const client = new pg.Client({ connectionString: db.appUrl });
    await client.connect();
    try {
      await expect(client.query(`DELETE FROM "_prisma_migrations"`)).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
  });
});
