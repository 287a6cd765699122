// Uptime and latency over 24 h / 7 d / 30 d / 90 d from the raw results plus the rollups
// (decision 061): one statement for any number of monitors, grouped by monitor and age class,
// inside the caller's tenant transaction (RLS applies). Raw rows and rollups never overlap: the
// rollup moves rows (DELETE … RETURNING into the aggregate) in one statement.
import { Prisma } from "~/generated/prisma/client";
import type { Tx } from "../db/client.server";
import { addSums, HISTOGRAM_SIZE, KEEP_DAYS, LATENCY_BOUNDS, WINDOWS, windowStats, type Sums, type Window, type WindowStats } from "./aggregates";

export interface Uptime {
  h24: number | null;
  d7: number | null;
  d30: number | null;
  d90: number | null;
}
export type Latency = Record<Window, { avgMs: number | null; p95Ms: number | null }>;
export type MonitorStats = Record<Window, WindowStats>;

/** `ARRAY[count(*) FILTER (WHERE <ok> AND <lat> < 25), …]`: the histogram of raw rows (constants only). */
export function histogramSql(ok: string, lat: string): Prisma.Sql {
  const parts = [...LATENCY_BOUNDS, null].map((hi, i) => {
    const lo = i === 0 ? null : LATENCY_BOUNDS[i - 1];
    const conds = [ok, `${lat} IS NOT NULL`, lo === null ? null : `${lat} >= ${lo}`, hi === null ? null : `${lat} < ${hi}`].filter(Boolean).join(" AND ");
    return `count(*) FILTER (WHERE ${conds})`;
  });
  return Prisma.raw(`ARRAY[${parts.join(", ")}]`);
}

/** `ARRAY[sum(histogram[1]), …]`: histograms added element-wise. */
export function histogramSumSql(column: string): Prisma.Sql {
  return Prisma.raw(`ARRAY[${Array.from({ length: HISTOGRAM_SIZE }, (_, i) => `coalesce(sum(${column}[${i + 1}]), 0)`).join(", ")}]`);
}

const ageClass = (col: string) =>
  Prisma.raw(`CASE WHEN ${col} > (now() AT TIME ZONE 'UTC') - interval '24 hours' THEN 0
    WHEN ${col} > (now() AT TIME ZONE 'UTC') - interval '7 days' THEN 1
    WHEN ${col} > (now() AT TIME ZONE 'UTC') - interval '30 days' THEN 2 ELSE 3 END`);

type Row = { monitorId: string; cls: number; checks: number; up: number; latencySum: number; latencyCount: number; latencyMax: number | null; histogram: number[] };

export async function statsFor(tx: Tx, ids: string[]): Promise<Map<string, MonitorStats>> {
  if (ids.length === 0) return new Map();
  const since = Prisma.raw(`(now() AT TIME ZONE 'UTC') - interval '${KEEP_DAYS} days'`);
  const rows = await tx.$queryRaw<Row[]>`
    SELECT "monitorId", ${ageClass("time")}::int AS cls, count(*)::float8 AS checks, (count(*) FILTER (WHERE ok))::float8 AS up,
           coalesce(sum("latencyMs") FILTER (WHERE ok), 0)::float8 AS "latencySum",
           (count("latencyMs") FILTER (WHERE ok))::float8 AS "latencyCount",
           (max("latencyMs") FILTER (WHERE ok))::float8 AS "latencyMax",
           ${histogramSql("ok", `"latencyMs"`)}::float8[] AS histogram
      FROM "MonitorResult" WHERE "monitorId" = ANY(${ids}) AND time > ${since}
     GROUP BY 1, 2
    UNION ALL
    SELECT "monitorId", ${ageClass("bucket")}::int, sum(checks)::float8, sum(up)::float8, sum("latencySum")::float8,
           sum("latencyCount")::float8, max("latencyMax")::float8, ${histogramSumSql("histogram")}::float8[]
      FROM "MonitorAggregate" WHERE "monitorId" = ANY(${ids}) AND bucket > ${since}
     GROUP BY 1, 2`;
  const byMonitor = new Map<string, Map<number, Sums>>();
  for (const r of rows) {
    const classes = byMonitor.get(r.monitorId) ?? new Map<number, Sums>();
    const prev = classes.get(r.cls);
    const sums: Sums = { checks: r.checks, up: r.up, latencySum: r.latencySum, latencyCount: r.latencyCount, latencyMax: r.latencyMax, histogram: r.histogram.map(Number) };
    // Raw and rollup rows of one class (rare: at the 24-h and 7-d edges) add up.
    classes.set(r.cls, prev ? addSums(prev, sums) : sums);
    byMonitor.set(r.monitorId, classes);
  }
  return new Map([...byMonitor].map(([id, classes]) => [id, windowStats(classes)]));
}

export const EMPTY_STATS: MonitorStats = Object.fromEntries(WINDOWS.map((w) => [w, { uptime: null, avgMs: null, p95Ms: null }])) as MonitorStats;

export const uptimeOf = (s: MonitorStats = EMPTY_STATS): Uptime => ({ h24: s.h24.uptime, d7: s.d7.uptime, d30: s.d30.uptime, d90: s.d90.uptime });
export const latencyOf = (s: MonitorStats = EMPTY_STATS): Latency =>
  Object.fromEntries(WINDOWS.map((w) => [w, { avgMs: s[w].avgMs, p95Ms: s[w].p95Ms }])) as Latency;

export async function uptimeFor(tx: Tx, ids: string[]): Promise<Map<string, Uptime>> {
  const stats = await statsFor(tx, ids);
  return new Map([...stats].map(([id, s]) => [id, uptimeOf(s)]));
}
