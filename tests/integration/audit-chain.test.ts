// The hash-chained audit log against a real Postgres: concurrent appends cannot fork the chain,
// and any edit, deletion, reordering or truncation is found by the verifier — done as the app
// role and as the table owner with raw SQL (docs/decisions/110-audit-tamper-evidence.md).
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { setupTestDb, type TestDb } from "../setup/db";
import pg from "pg";
import { audit, auditHash, canonicalAuditText } from "~/server/audit/audit.server";
import { applyAuditRetention, updateAuditSettings, writePeriodicCheckpoints } from "~/server/audit/audit-settings.server";
import { exportAudit, verifyAuditChain, listAudit } from "~/server/audit/audit-log.server";
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
  const { rows } = await db.admin.query(`SELECT id::text FROM "AuditLog" WHERE "orgId" = $1 ORDER BY "AuditLog".id`, [actor.orgId]);
  return rows.map((r) => r.id);
}

describe("audit hash chain", () => {
  test("a fresh organization verifies clean", async () => {
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: true, entries: 0 });
  });

  test("50 concurrent appends form one unbroken chain", async () => {
    await append(50);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: true, entries: 50 });
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

describe("tamper-evidence against the app role and the table owner", () => {
  /** The application's own database role, in the organization, as a compromised app would be. */
  async function asAppRole<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: db.appUrl });
    await c.connect();
    try {
      await c.query("BEGIN");
      await c.query("SELECT set_config('app.org_id', $1, true)", [actor.orgId]);
      return await fn(c);
    } finally {
      await c.query("ROLLBACK").catch(() => {});
      await c.end();
    }
  }

  test("the app role can add and read entries but neither change nor remove them", async () => {
    await append(3);
    const [first] = await ids();
    await expect(asAppRole((c) => c.query(`UPDATE "AuditLog" SET "actorEmail" = 'x' WHERE id = $1`, [first]))).rejects.toThrow(/permission denied/);
    await expect(asAppRole((c) => c.query(`DELETE FROM "AuditLog" WHERE id = $1`, [first]))).rejects.toThrow(/permission denied/);
    await expect(asAppRole((c) => c.query(`DELETE FROM "AuditCheckpoint"`))).rejects.toThrow(/permission denied/);
    await expect(asAppRole((c) => c.query(`TRUNCATE "AuditLog"`))).rejects.toThrow(/permission denied/);
    expect(await asAppRole(async (c) => (await c.query(`SELECT count(*)::int AS n FROM "AuditLog"`)).rows[0].n)).toBe(3);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: true, entries: 3 });
  });

  test("every stored field is inside the hash: editing the user agent is found", async () => {
    await audit({ orgId: actor.orgId, action: "test.ua", outcome: "success", userAgent: "Mozilla/5.0 honest" });
    await append(2);
    const [first] = await ids();
    await db.admin.query(`UPDATE "AuditLog" SET "userAgent" = 'curl/8 forged' WHERE id = $1`, [first]);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: false, brokenAt: first, reason: expect.stringMatching(/edited/) });
  });

  test("an owner who rewrites an entry and recomputes the chain with plain SHA-256 is still caught (the hash is keyed)", async () => {
    await append(6);
    const all = await ids();
    await db.admin.query(`UPDATE "AuditLog" SET "actorEmail" = 'mallory@example.com' WHERE id = $1`, [all[2]]);
    // Recompute every hash from the edited entry on, as an attacker without the key would.
    const { rows } = await db.admin.query(`SELECT * FROM "AuditLog" WHERE "orgId" = $1 ORDER BY id`, [actor.orgId]);
    let prev: string | null = rows[1].hash;
    for (const row of rows.slice(2)) {
      const hash = auditHash(canonicalAuditText({ ...row, prevHash: prev }));
      await db.admin.query(`UPDATE "AuditLog" SET "prevHash" = $1, hash = $2 WHERE id = $3`, [prev, hash, row.id]);
      prev = hash;
    }
    const result = await verifyAuditChain(actor);
    expect(result, JSON.stringify({ all, result })).toMatchObject({ ok: false, brokenAt: all[2] });
  });

  test("deleting the newest entries is reported as truncation, with how many are missing", async () => {
    await append(10);
    const all = await ids();
    await db.admin.query(`DELETE FROM "AuditLog" WHERE id = ANY($1::bigint[])`, [all.slice(7)]);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: false, brokenAt: all[6], missing: 3, reason: expect.stringMatching(/newest 3 entries are missing/) });
  });

  test("rolling the chain head back by hand to hide a truncation breaks its signature", async () => {
    await append(6);
    const all = await ids();
    await db.admin.query(`DELETE FROM "AuditLog" WHERE id = ANY($1::bigint[])`, [all.slice(4)]);
    const { rows } = await db.admin.query(`SELECT hash FROM "AuditLog" WHERE id = $1`, [all[3]]);
    await db.admin.query(`UPDATE "AuditChainHead" SET "lastId" = $1, "lastHash" = $2, count = 4 WHERE "orgId" = $3`, [all[3], rows[0].hash, actor.orgId]);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: false, reason: expect.stringMatching(/chain head was edited/) });
  });

  test("replaying an older signed head is caught by a later signed checkpoint", async () => {
    await append(5);
    const { rows: saved } = await db.admin.query(`SELECT * FROM "AuditChainHead" WHERE "orgId" = $1`, [actor.orgId]);
    await append(5);
    await writePeriodicCheckpoints();
    const all = await ids();
    await db.admin.query(`DELETE FROM "AuditLog" WHERE id = ANY($1::bigint[])`, [all.slice(5)]);
    const h = saved[0];
    await db.admin.query(`UPDATE "AuditChainHead" SET "lastId" = $1, "lastHash" = $2, count = $3, signature = $4 WHERE "orgId" = $5`, [h.lastId, h.lastHash, h.count, h.signature, actor.orgId]);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: false, missing: 5, reason: expect.stringMatching(/newest 5 entries are missing since checkpoint/) });
  });

  test("a forged checkpoint is reported", async () => {
    await append(3);
    await writePeriodicCheckpoints();
    await db.admin.query(`UPDATE "AuditCheckpoint" SET count = count + 1 WHERE "orgId" = $1`, [actor.orgId]);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: false, reason: expect.stringMatching(/checkpoint \d+ was forged or edited/) });
  });

  test("immutable mode: the owner's UPDATE and DELETE are refused by the database, it cannot be turned off, retention only grows", async () => {
    await append(4);
    await updateAuditSettings(actor, { retentionDays: 90, immutable: true });
    await writePeriodicCheckpoints();
    const [first] = await ids();
    await expect(db.admin.query(`DELETE FROM "AuditLog" WHERE id = $1`, [first])).rejects.toThrow(/immutable/);
    await expect(db.admin.query(`UPDATE "AuditLog" SET "actorEmail" = 'x' WHERE id = $1`, [first])).rejects.toThrow(/immutable/);
    await expect(db.admin.query(`DELETE FROM "AuditCheckpoint" WHERE "orgId" = $1`, [actor.orgId])).rejects.toThrow(/immutable/);
    await expect(db.admin.query(`UPDATE "AuditSettings" SET immutable = false WHERE "orgId" = $1`, [actor.orgId])).rejects.toThrow(/cannot be turned off/);
    await expect(updateAuditSettings(actor, { immutable: false })).rejects.toMatchObject({ status: 409 });
    await expect(updateAuditSettings(actor, { retentionDays: 60 })).rejects.toMatchObject({ status: 409 });
    expect(await updateAuditSettings(actor, { retentionDays: 120 })).toMatchObject({ retentionDays: 120, immutable: true });
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: true });
  });

  test("retention removes only entries older than the organization's setting, and the chain still verifies from the first kept entry", async () => {
    await append(8);
    const all = await ids();
    // The four oldest entries are 40 days old (their hashes no longer matter: they are leaving).
    await db.admin.query(`UPDATE "AuditLog" SET time = now() - interval '40 days' WHERE id = ANY($1::bigint[])`, [all.slice(0, 4)]);
    await updateAuditSettings(actor, { retentionDays: 30, immutable: true });
    await applyAuditRetention();
    const kept = await ids();
    expect(kept).toEqual(all.slice(4).concat(kept.slice(4)));
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: true, removedByRetention: 4 });
    // Retention does not run twice over the same entries, and later appends keep verifying.
    await applyAuditRetention();
    await append(2);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: true, removedByRetention: 4 });
  });

  test("a chain written before keyed hashes is adopted: its legacy entries verify, and rewriting them is caught", async () => {
    // Three legacy (version 1) rows, as an older InfraPilot wrote them: no head, unkeyed hashes.
    let prev: string | null = null;
    for (let i = 0; i < 3; i++) {
      const row = { orgId: actor.orgId, time: new Date(Date.now() - 60_000 + i * 1000), actorId: null, actorEmail: "old@example.com", action: "legacy.event", targetType: null, targetId: null, ip: null, outcome: "success", details: { i }, prevHash: prev };
      const hash = auditHash(canonicalAuditText(row));
      await db.admin.query(
        `INSERT INTO "AuditLog" ("orgId", time, "actorEmail", action, outcome, details, "prevHash", hash, "hashVersion") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)`,
        [row.orgId, row.time, row.actorEmail, row.action, row.outcome, JSON.stringify(row.details), prev, hash],
      );
      prev = hash;
    }
    await append(2);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: true, entries: 5, legacyEntries: 3 });
    // Rewrite a legacy entry and recompute the whole legacy chain (possible: its hash is unkeyed).
    const { rows } = await db.admin.query(`SELECT * FROM "AuditLog" WHERE "orgId" = $1 AND "hashVersion" = 1 ORDER BY id`, [actor.orgId]);
    let p: string | null = null;
    for (const [i, row] of rows.entries()) {
      const edited = { ...row, actorEmail: i === 1 ? "mallory@example.com" : row.actorEmail, prevHash: p };
      const hash = auditHash(canonicalAuditText(edited));
      await db.admin.query(`UPDATE "AuditLog" SET "actorEmail" = $1, "prevHash" = $2, hash = $3 WHERE id = $4`, [edited.actorEmail, p, hash, row.id]);
      p = hash;
    }
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: false, reason: expect.stringMatching(/checkpoint|does not follow/) });
  });
});

describe("bulk reads: one snapshot through COPY (exports, verification)", () => {
  async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
    return new Response(stream).text();
  }

  test("every format streams every entry in id order across chunks, fields with tabs, newlines and backslashes intact; filters apply", async () => {
    const awkward = { note: "tab\there\nnewline \\ backslash | pipe = equals", n: 1 };
    for (let i = 0; i < 12; i++) {
      await audit({ orgId: actor.orgId, action: i % 3 === 0 ? "proxy.update" : "user.login", outcome: "success", actorEmail: `u${i}@example.com`, userAgent: "UA\twith tab", details: { ...awkward, i } });
    }
    const all = await ids();
    const json = JSON.parse(await readAll(exportAudit(actor, {}, "json"))) as { id: string; details: unknown; userAgent: string; time: string }[];
    expect(json.map((e) => e.id)).toEqual(all);
    expect(json[5]).toMatchObject({ details: { ...awkward, i: 5 }, userAgent: "UA\twith tab" });
    expect(json[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const csv = (await readAll(exportAudit(actor, { action: "proxy." }, "csv"))).trim().split("\n");
    expect(csv[0]).toBe("id,time,actorId,actorEmail,action,targetType,targetId,ip,outcome,details");
    expect(csv.slice(1).filter((l) => /^\d+,/.test(l)).map((l) => l.split(",")[0])).toEqual([all[0], all[3], all[6], all[9]]);
    const cef = (await readAll(exportAudit(actor, { actor: "u1" }, "cef"))).trim().split("\n"); // u1, u10, u11
    expect(cef).toHaveLength(3);
    const syslog = (await readAll(exportAudit(actor, { from: new Date(Date.now() - 60_000) }, "syslog"))).trim().split("\n");
    expect(syslog).toHaveLength(12);
    expect(await readAll(exportAudit(actor, { to: new Date(Date.now() - 86_400_000) }, "json"))).toBe("[]");
  });

  test("small chunks read everything in order; leaving early gives the connection back", async () => {
    await append(25);
    const { openAuditSnapshot } = await import("~/server/audit/audit-stream.server");
    const snapshot = await openAuditSnapshot(actor.orgId);
    const seen: bigint[] = [];
    for await (const batch of snapshot.rows({ chunk: 7 })) seen.push(...batch.map((r) => r.id));
    await snapshot.close();
    expect(seen.map(String)).toEqual(await ids());
    // An export abandoned after its first chunk: the stream is cancelled, the connection discarded.
    for (let round = 0; round < 8; round++) {
      const reader = exportAudit(actor, {}, "json").getReader();
      await reader.read();
      await reader.cancel();
    }
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: true, entries: 25 });
  });

  test("a time moved by a microsecond is found (the reader keeps digits the app never writes)", async () => {
    await append(4);
    const third = (await ids())[2]!;
    await db.admin.query(`UPDATE "AuditLog" SET time = time + interval '1 microsecond' WHERE id = $1`, [third]);
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: false, brokenAt: third, reason: expect.stringMatching(/does not match its hash/) });
  });

  test("verification while entries are being appended sees one consistent snapshot", async () => {
    await append(20);
    const writing = append(30);
    const results = await Promise.all([verifyAuditChain(actor), verifyAuditChain(actor), verifyAuditChain(actor)]);
    await writing;
    for (const r of results) expect(r).toMatchObject({ ok: true });
    expect(await verifyAuditChain(actor)).toMatchObject({ ok: true, entries: 50 });
  });
});
