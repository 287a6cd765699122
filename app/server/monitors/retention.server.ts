// Rollup and retention of monitor results (decision 061), hourly on one replica (jobs.server.ts,
// advisory lock): raw rows older than 24 h are moved into per-minute aggregates, minute rows
// older than 7 days into per-hour aggregates, and everything older than 90 days is deleted. Each
// move is one statement (DELETE … RETURNING feeding INSERT … ON CONFLICT), so a row is counted
// either raw or aggregated, never both and never lost; per organization, in its own tenant
// transaction, in batches so one run never holds a long lock.
import { Prisma } from "~/generated/prisma/client";
import { systemDb, withOrg } from "../db/client.server";
import { KEEP_DAYS, MINUTE_DAYS, RAW_HOURS } from "./aggregates";
import { histogramSql, histogramSumSql } from "./uptime.server";

export const RESULT_RETENTION_DAYS = KEEP_DAYS;
const BATCH = 20_000;

const MERGE = Prisma.raw(`ON CONFLICT ("monitorId", resolution, bucket) DO UPDATE SET
  checks = "MonitorAggregate".checks + excluded.checks,
  up = "MonitorAggregate".up + excluded.up,
  "latencySum" = "MonitorAggregate"."latencySum" + excluded."latencySum",
  "latencyCount" = "MonitorAggregate"."latencyCount" + excluded."latencyCount",
  "latencyMax" = GREATEST("MonitorAggregate"."latencyMax", excluded."latencyMax"),
  histogram = ARRAY(SELECT a + b FROM unnest("MonitorAggregate".histogram, excluded.histogram) AS u(a, b))`);

export interface RollupCounts {
  rawMoved: number;
  minutesMoved: number;
  deleted: number;
}

/** One organization's rollup; `now` is for tests (defaults to the database's clock). */
export async function rollupOrg(orgId: string, now?: Date): Promise<RollupCounts> {
  const clock = now ? Prisma.sql`${now}::timestamptz AT TIME ZONE 'UTC'` : Prisma.raw(`(now() AT TIME ZONE 'UTC')`);
  const counts: RollupCounts = { rawMoved: 0, minutesMoved: 0, deleted: 0 };
  for (;;) {
    const moved = await withOrg(orgId, async (tx) => {
      const rows = await tx.$queryRaw<{ n: number }[]>`
        WITH moved AS (
          DELETE FROM "MonitorResult" WHERE id IN (
            SELECT id FROM "MonitorResult" WHERE time <= ${clock} - interval '${Prisma.raw(String(RAW_HOURS))} hours' LIMIT ${BATCH})
          RETURNING "orgId", "monitorId", time, ok, "latencyMs"),
        ins AS (
          INSERT INTO "MonitorAggregate" ("orgId", "monitorId", resolution, bucket, checks, up, "latencySum", "latencyCount", "latencyMax", histogram)
          SELECT "orgId", "monitorId", 'minute', date_trunc('minute', time), count(*), count(*) FILTER (WHERE ok),
                 coalesce(sum("latencyMs") FILTER (WHERE ok), 0), count("latencyMs") FILTER (WHERE ok), max("latencyMs") FILTER (WHERE ok),
                 ${histogramSql("ok", `"latencyMs"`)}
            FROM moved GROUP BY 1, 2, 4
          ${MERGE})
        SELECT count(*)::int AS n FROM moved`;
      return rows[0]?.n ?? 0;
    });
    counts.rawMoved += moved;
    if (moved < BATCH) break;
  }
  for (;;) {
    const moved = await withOrg(orgId, async (tx) => {
      const rows = await tx.$queryRaw<{ n: number }[]>`
        WITH moved AS (
          DELETE FROM "MonitorAggregate" WHERE ("monitorId", resolution, bucket) IN (
            SELECT "monitorId", resolution, bucket FROM "MonitorAggregate"
             WHERE resolution = 'minute' AND bucket <= ${clock} - interval '${Prisma.raw(String(MINUTE_DAYS))} days' LIMIT ${BATCH})
          RETURNING *),
        ins AS (
          INSERT INTO "MonitorAggregate" ("orgId", "monitorId", resolution, bucket, checks, up, "latencySum", "latencyCount", "latencyMax", histogram)
          SELECT "orgId", "monitorId", 'hour', date_trunc('hour', bucket), sum(checks), sum(up), sum("latencySum"), sum("latencyCount"), max("latencyMax"),
                 ${histogramSumSql("histogram")}
            FROM moved GROUP BY 1, 2, 4
          ${MERGE})
        SELECT count(*)::int AS n FROM moved`;
      return rows[0]?.n ?? 0;
    });
    counts.minutesMoved += moved;
    if (moved < BATCH) break;
  }
  counts.deleted = await withOrg(orgId, async (tx) => {
    const keep = Prisma.sql`${clock} - interval '${Prisma.raw(String(KEEP_DAYS))} days'`;
    const a = await tx.$executeRaw`DELETE FROM "MonitorAggregate" WHERE bucket <= ${keep}`;
    const r = await tx.$executeRaw`DELETE FROM "MonitorResult" WHERE time <= ${keep}`;
    return a + r;
  });
  return counts;
}

/** Every organization with monitors (the hourly job). */
export async function rollupMonitorResults(now?: Date): Promise<RollupCounts> {
  const orgs = await systemDb().$queryRaw<{ orgId: string }[]>`SELECT "orgId" FROM monitor_org_ids()`;
  const total: RollupCounts = { rawMoved: 0, minutesMoved: 0, deleted: 0 };
  for (const { orgId } of orgs) {
    const c = await rollupOrg(orgId, now);
    total.rawMoved += c.rawMoved;
    total.minutesMoved += c.minutesMoved;
    total.deleted += c.deleted;
  }
  return total;
}
