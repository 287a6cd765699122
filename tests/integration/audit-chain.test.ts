// The hash-chained audit log against a real Postgres: concurrent appends cannot fork the chain,
// and any edit, deletion or reordering is found by the verifier.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { setupTestDb, type TestDb } from "../setup/db";
import { audit } from "~/server/audit/audit.server";
import { verifyAuditChain, listAudit } from "~/server/audit/audit-log.server";
import { withOrg } from "~/server/db/client.server";
import type { Actor } from "~/server/auth/require.server";

let db: TestDb;
let actor: Actor;

beforeAll(async () => {
  db = await setupTestDb();
});
afterAll(async () => {
  await db?.close();
});

beforeEach(async () => {
  const orgId = randomUUID();
  await withOrg(orgId, (tx) => tx.organization.create({ data: { id: orgId, name: "Org", slug: `org-${orgId}` } }));
  actor = { userId: randomUUID(), orgId, role: "admin", email: "a@example.com", name: "A", mfaEnabled: false, sessionId: "s" };
});

async function append(n: number) {
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      audit({ orgId: actor.orgId, action: "test.event", outcome: "success", actorId: actor.userId, actorEmail: actor.email, details: { i, nested: { b: 2, a: [1, "x"] } } }),
    ),
  );
}

async function ids(): Promise<string[]> {
  const { rows } = await db.admin.query(`SELECT id::text FROM "AuditLog" WHERE "orgId" = $1 ORDER BY id`, [actor.orgId]);
  return rows.map((r) => r.id);
}

describe("audit hash chain", () => {
  test("a fresh organization verifies clean", async () => {
    expect(await verifyAuditChain(actor)).toEqual({ ok: true, entries: 0 });
  });

  test("50 concurrent appends form one unbroken chain", async () => {
    await append(50);
    expect(await verifyAuditChain(actor)).toEqual({ ok: true, entries: 50 });
    const { rows } = await db.admin.query(`SELECT count(DISTINCT "prevHash")::int AS n, count(*)::int AS total FROM "AuditLog" WHERE "orgId" = $1`, [actor.orgId]);
    expect(rows[0].n).toBe(49); // every entry but the first names a distinct predecessor
  });

  test("editing a middle entry is reported at that entry", async () => {
    await append(10);
    const middle = (await ids())[4]!;
    await db.admin.query(`UPDATE "AuditLog" SET "actorEmail" = 'mallory@example.com' WHERE id = $1`, [middle]);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: false, brokenAt: middle });
  });

  test("editing details or time is reported too", async () => {
    await append(6);
    const [, second, , fourth] = await ids();
    await db.admin.query(`UPDATE "AuditLog" SET details = '{"i": 99}' WHERE id = $1`, [fourth]);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: false, brokenAt: fourth });
    await db.admin.query(`UPDATE "AuditLog" SET time = time - interval '1 second' WHERE id = $1`, [second]);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: false, brokenAt: second });
  });

  test("deleting a middle entry is reported at the entry after the gap", async () => {
    await append(10);
    const all = await ids();
    await db.admin.query(`DELETE FROM "AuditLog" WHERE id = $1`, [all[5]]);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: false, brokenAt: all[6] });
  });

  test("reordering two entries is reported at the first of them", async () => {
    await append(8);
    const all = await ids();
    // swap the ids of entries 3 and 4 through a temporary id
    await db.admin.query(`UPDATE "AuditLog" SET id = -1 WHERE id = $1`, [all[3]]);
    await db.admin.query(`UPDATE "AuditLog" SET id = $1 WHERE id = $2`, [all[3], all[4]]);
    await db.admin.query(`UPDATE "AuditLog" SET id = $1 WHERE id = -1`, [all[4]]);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: false, brokenAt: all[3] });
  });

  test("listing filters by action and pages with a cursor", async () => {
    await append(5);
    await audit({ orgId: actor.orgId, action: "other.thing", outcome: "failure" });
    const page1 = await listAudit(actor, { action: "test." }, { limit: 3 });
    expect(page1.items).toHaveLength(3);
    expect(page1.items.every((e) => e.action === "test.event")).toBe(true);
    const page2 = await listAudit(actor, { action: "test." }, { limit: 3, cursor: page1.nextCursor! });
    expect(page2.items).toHaveLength(2);
    expect(page2.nextCursor).toBeNull();
    expect(new Set([...page1.items, ...page2.items].map((e) => e.id)).size).toBe(5);
  });

  test("a viewer may not read the audit log", async () => {
    await expect(listAudit({ ...actor, role: "viewer" }, {})).rejects.toThrow(/does not allow read:audit/);
  });
});
