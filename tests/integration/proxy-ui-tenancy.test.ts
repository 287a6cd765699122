// ProxySettings (the per-agent default site) is tenant-owned: asked directly as the app's role,
// another organization neither sees nor changes a row, and the verb reads only its own.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { setupTestDb, type TestDb } from "../setup/db";
import { systemDb, withOrg } from "~/server/db/client.server";
import { defaultSiteFor } from "~/server/proxy/settings.server";

let db: TestDb;
const orgA = randomUUID();
const orgB = randomUUID();
let agentA: string;

beforeAll(async () => {
  db = await setupTestDb();
  for (const [id, name] of [[orgA, "A"], [orgB, "B"]] as const) {
    await withOrg(id, (tx) => tx.organization.create({ data: { id, name, slug: `ps-${name.toLowerCase()}` } }));
  }
  agentA = (await withOrg(orgA, (tx) => tx.agent.create({ data: { orgId: orgA, name: "local" }, select: { id: true } }))).id;
  await withOrg(orgA, (tx) => tx.proxySettings.create({ data: { agentId: agentA, orgId: orgA, defaultSite: { mode: "redirect", to: "https://a.example/" } } }));
});

afterAll(async () => {
  await db?.close();
});

describe("ProxySettings row-level security", () => {
  test("the owner reads its row; another organization and no organization see nothing", async () => {
    expect(await withOrg(orgA, (tx) => defaultSiteFor(tx, agentA))).toEqual({ mode: "redirect", to: "https://a.example/" });
    expect(await withOrg(orgB, (tx) => tx.proxySettings.findMany())).toEqual([]);
    // Asked by id from B, the row does not exist: B's apply would render the safe default.
    expect(await withOrg(orgB, (tx) => defaultSiteFor(tx, agentA))).toEqual({ mode: "404" });
    expect(await systemDb().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "ProxySettings"`).toEqual([{ n: 0n }]);
  });

  test("another organization can neither change nor plant a row", async () => {
    const updated = await withOrg(orgB, (tx) => tx.proxySettings.updateMany({ where: { agentId: agentA }, data: { defaultSite: { mode: "close" } } }));
    expect(updated.count).toBe(0);
    await expect(withOrg(orgB, (tx) => tx.proxySettings.create({ data: { agentId: randomUUID(), orgId: orgA, defaultSite: { mode: "close" } } }))).rejects.toThrow(/row-level security/);
    const rows = await db.admin.query(`SELECT "defaultSite" FROM "ProxySettings" WHERE "agentId" = $1`, [agentA]);
    expect(rows.rows).toEqual([{ defaultSite: { mode: "redirect", to: "https://a.example/" } }]);
  });

  test("a stored value that no longer parses renders the safe default", async () => {
    await db.admin.query(`UPDATE "ProxySettings" SET "defaultSite" = '{"mode":"redirect","to":"https://x/\\";evil"}' WHERE "agentId" = $1`, [agentA]);
    expect(await withOrg(orgA, (tx) => defaultSiteFor(tx, agentA))).toEqual({ mode: "404" });
  });
});
