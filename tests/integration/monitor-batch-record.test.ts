// The scheduler's batched result writes (recordOutcomes, decision 060) on a real PostgreSQL under
// RLS: several outcomes of one monitor in one batch apply in order (one down and one up incident,
// every result row kept), and a monitor paused or deleted while its check ran gets nothing.
import { afterAll, beforeAll, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { recordOutcomes, type CheckableMonitor } from "~/server/monitors/run.server";
import { setupTestDb, type TestDb } from "../setup/db";

let db: TestDb;
const orgId = randomUUID();

beforeAll(async () => {
  db = await setupTestDb();
  await db.admin.query(`INSERT INTO "Organization" (id, name, slug) VALUES ($1, 'Batch', $2)`, [orgId, `batch-${orgId.slice(0, 8)}`]);
}, 60_000);

afterAll(async () => {
  await db?.close();
});

async function monitor(name: string, enabled = true): Promise<CheckableMonitor> {
  const { rows } = await db.admin.query<{ id: string; createdAt: Date }>(
    `INSERT INTO "Monitor" (id, "orgId", name, type, config, "intervalSeconds", "channelIds", enabled, status, "updatedAt")
     VALUES (gen_random_uuid(), $1, $2, 'http', '{"url":"http://example.test/"}', 60, '{}', $3, 'up', now()) RETURNING id, "createdAt"`,
    [orgId, name, enabled],
  );
  return { id: rows[0]!.id, orgId, name, type: "http", config: { url: "http://example.test/" }, intervalSeconds: 60, createdAt: rows[0]!.createdAt };
}

const fail = { ok: false, cause: "status", message: "HTTP 500", latencyMs: 5 };
const pass = { ok: true, message: "HTTP 200", latencyMs: 7 };

test("applies several outcomes of one monitor in one batch in order: one down and one up incident, every result kept", async () => {
  const a = await monitor("a");
  const b = await monitor("b");
  const t = (s: number) => new Date(Date.UTC(2026, 11, 3, 9, 0, s));
  const announced = await recordOutcomes(orgId, [
    { monitor: a, outcome: fail, at: t(0) },
    { monitor: b, outcome: pass, at: t(0) },
    { monitor: a, outcome: pass, at: t(20) },
    { monitor: a, outcome: fail, at: t(40) },
  ]);
  expect(announced.map((x) => [x.event.name, x.event.kind, x.event.cause])).toEqual([
    ["a", "down", "status"],
    ["a", "up", null],
    ["a", "down", "status"],
  ]);
  const { rows: results } = await db.admin.query(`SELECT ok FROM "MonitorResult" WHERE "monitorId" = $1 ORDER BY time`, [a.id]);
  expect(results.map((r) => r.ok)).toEqual([false, true, false]);
  const { rows: state } = await db.admin.query(`SELECT id, status, failures, "latencyMs", "lastMessage" FROM "Monitor" WHERE id = ANY($1) ORDER BY name`, [[a.id, b.id]]);
  expect(state.map((r) => [r.status, r.failures, r.latencyMs, r.lastMessage])).toEqual([
    ["down", 1, 5, "HTTP 500"],
    ["up", 0, 7, "HTTP 200"],
  ]);
  const { rows: incidents } = await db.admin.query(`SELECT kind FROM "MonitorIncident" WHERE "monitorId" = $1 ORDER BY at`, [a.id]);
  expect(incidents.map((r) => r.kind)).toEqual(["down", "up", "down"]);
});

test("records nothing for a monitor paused or deleted while its check ran", async () => {
  const paused = await monitor("paused", false);
  const gone = await monitor("gone");
  await db.admin.query(`DELETE FROM "Monitor" WHERE id = $1`, [gone.id]);
  const announced = await recordOutcomes(orgId, [
    { monitor: paused, outcome: fail, at: new Date() },
    { monitor: gone, outcome: fail, at: new Date() },
  ]);
  expect(announced).toEqual([]);
  const { rows } = await db.admin.query(`SELECT count(*)::int AS n FROM "MonitorResult" WHERE "monitorId" = ANY($1)`, [[paused.id, gone.id]]);
  expect(rows[0].n).toBe(0);
});
