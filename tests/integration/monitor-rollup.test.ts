// Monitor results rolled up (decision 061) on a real PostgreSQL under RLS: raw rows older than
// 24 h become per-minute aggregates, minute rows older than 7 days per-hour ones, rows older than
// 90 days go; uptime and average latency read the same before and after (nothing counted twice
// or lost), p95 stays within its histogram bucket, and the results endpoint serves the rollups.
import { afterAll, beforeAll, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import type { Actor } from "~/server/auth/require.server";
import { withOrg } from "~/server/db/client.server";
import { getMonitor, listResults } from "~/server/monitors/monitors.server";
import { rollupOrg } from "~/server/monitors/retention.server";
import { statsFor } from "~/server/monitors/uptime.server";
import { setupTestDb, type TestDb } from "../setup/db";

let db: TestDb;
const orgId = randomUUID();
const otherOrg = randomUUID();
const actor: Actor = { userId: randomUUID(), orgId, role: "admin", email: "a@example.com", name: "A", mfaEnabled: false, sessionId: "s" };

beforeAll(async () => {
  db = await setupTestDb();
  for (const id of [orgId, otherOrg]) await db.admin.query(`INSERT INTO "Organization" (id, name, slug) VALUES ($1, 'Rollup', $2)`, [id, `rollup-${id.slice(0, 8)}`]);
}, 60_000);

afterAll(async () => {
  await db?.close();
});

async function monitor(org: string): Promise<string> {
  const { rows } = await db.admin.query<{ id: string }>(
    `INSERT INTO "Monitor" (id, "orgId", name, type, config, "intervalSeconds", "channelIds", enabled, status, "updatedAt")
     VALUES (gen_random_uuid(), $1, 'm', 'http', '{"url":"http://example.test/"}', 20, '{}', true, 'up', now()) RETURNING id`,
    [org],
  );
  return rows[0]!.id;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function result(monitorId: string, org: string, ageMs: number, ok: boolean, latencyMs: number | null): Promise<void> {
  await db.admin.query(`INSERT INTO "MonitorResult" ("orgId", "monitorId", time, ok, "latencyMs", message) VALUES ($1, $2, (now() AT TIME ZONE 'UTC') - $3 * interval '1 millisecond', $4, $5, $6)`, [
    org,
    monitorId,
    ageMs,
    ok,
    latencyMs,
    ok ? null : "HTTP 500",
  ]);
}

test("rolls raw results into minute and hour aggregates and drops old ones, with the same uptime and latency before and after", async () => {
  const id = await monitor(orgId);
  // 24 h: 4 checks, 3 up. 2 days ago: 60 checks over 20 minutes, every 10th down. 10 days ago: 30 checks in 3 hours, 1 down. 100 days: 1.
  for (let i = 0; i < 4; i++) await result(id, orgId, HOUR + i * 20_000, i !== 0, 30 + i);
  for (let i = 0; i < 60; i++) await result(id, orgId, 2 * DAY + i * 20_000, i % 10 !== 0, 40 + i * 5);
  for (let i = 0; i < 30; i++) await result(id, orgId, 10 * DAY + i * 6 * 60_000, i !== 7, i < 28 ? 600 : 4000);
  await result(id, orgId, 100 * DAY, true, 10);
  const other = await monitor(otherOrg);
  await result(other, otherOrg, 3 * DAY, true, 10);

  const before = (await withOrg(orgId, (tx) => statsFor(tx, [id]))).get(id)!;
  expect(before.h24.uptime).toBe(75);
  expect(before.d7.uptime).toBeCloseTo((3 + 54) / 64 * 100, 2);
  expect(before.d90.uptime).toBeCloseTo((3 + 54 + 29) / 94 * 100, 2);

  const counts = await rollupOrg(orgId);
  expect(counts.rawMoved).toBe(91); // everything but the last day's 4
  expect(counts.deleted).toBeGreaterThanOrEqual(1); // the 100-day-old row, rolled up then dropped

  const { rows: raw } = await db.admin.query(`SELECT count(*)::int AS n FROM "MonitorResult" WHERE "monitorId" = $1`, [id]);
  expect(raw[0].n).toBe(4);
  const { rows: agg } = await db.admin.query(
    `SELECT resolution, count(*)::int AS rows, sum(checks)::int AS checks, sum(up)::int AS up FROM "MonitorAggregate" WHERE "monitorId" = $1 GROUP BY 1 ORDER BY 1`,
    [id],
  );
  expect(agg.map((r) => [r.resolution, r.checks, r.up])).toEqual([
    ["hour", 30, 29],
    ["minute", 60, 54],
  ]);
  expect(agg.find((r) => r.resolution === "minute").rows).toBeLessThanOrEqual(21); // 60 checks in 20 minutes
  expect(agg.find((r) => r.resolution === "hour").rows).toBeLessThanOrEqual(4);
  // The other organization's rows are untouched (its own tenant, its own run).
  const { rows: otherRaw } = await db.admin.query(`SELECT count(*)::int AS n FROM "MonitorResult" WHERE "monitorId" = $1`, [other]);
  expect(otherRaw[0].n).toBe(1);

  const after = (await withOrg(orgId, (tx) => statsFor(tx, [id]))).get(id)!;
  for (const w of ["h24", "d7", "d30", "d90"] as const) {
    expect(after[w].uptime).toBe(before[w].uptime);
    expect(after[w].avgMs).toBe(before[w].avgMs);
    expect(after[w].p95Ms).toBe(before[w].p95Ms);
  }
  // p95 over 30 days: of 86 successful latencies, the 95th percentile falls among the 600-ms ones.
  expect(after.d30.p95Ms).toBeGreaterThanOrEqual(500);
  expect(after.d30.p95Ms).toBeLessThanOrEqual(750);

  // A second run moves nothing more and changes nothing.
  expect((await rollupOrg(orgId)).rawMoved).toBe(0);
  expect((await withOrg(orgId, (tx) => statsFor(tx, [id]))).get(id)!.d30).toEqual(after.d30);

  // The API: the monitor's uptime and latency, and the results of 30 days with their resolution.
  const dto = await getMonitor(actor, id);
  expect(dto.uptime.d7).toBe(after.d7.uptime);
  expect(dto.latency.d30).toEqual({ avgMs: after.d30.avgMs, p95Ms: after.d30.p95Ms });
  const res = await listResults(actor, id, { from: new Date(Date.now() - 30 * DAY), limit: 5000 });
  const kinds = new Set(res.items.map((r) => r.resolution));
  expect([...kinds].sort()).toEqual(["hour", "minute", "raw"]);
  const hourly = res.items.filter((r) => r.resolution === "hour");
  expect(hourly.reduce((s, r) => s + r.checks, 0)).toBe(30);
  expect(hourly.some((r) => !r.ok && r.up === r.checks - 1)).toBe(true);
  expect(res.items[0]!.time > res.items[res.items.length - 1]!.time).toBe(true);
  expect(Math.abs(Date.parse(res.items[0]!.time) - (Date.now() - HOUR))).toBeLessThan(60_000);
});
