// Uptime percentages over 24 h / 7 d / 30 d / 90 d from the raw results, one grouped query for
// any number of monitors (inside the caller's tenant transaction, so RLS applies).
import type { Tx } from "../db/client.server";

export interface Uptime {
  h24: number | null;
  d7: number | null;
  d30: number | null;
  d90: number | null;
}

type Row = { monitorId: string; ok24: bigint; n24: bigint; ok7: bigint; n7: bigint; ok30: bigint; n30: bigint; ok90: bigint; n90: bigint };

const pct = (ok: bigint, n: bigint): number | null => (n === 0n ? null : Math.round((Number(ok) / Number(n)) * 100_000) / 1000);

export async function uptimeFor(tx: Tx, ids: string[]): Promise<Map<string, Uptime>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.$queryRaw<Row[]>`
    SELECT "monitorId",
           count(*) FILTER (WHERE ok AND time > (now() AT TIME ZONE 'UTC') - interval '24 hours') AS ok24,
           count(*) FILTER (WHERE time > (now() AT TIME ZONE 'UTC') - interval '24 hours') AS n24,
           count(*) FILTER (WHERE ok AND time > (now() AT TIME ZONE 'UTC') - interval '7 days') AS ok7,
           count(*) FILTER (WHERE time > (now() AT TIME ZONE 'UTC') - interval '7 days') AS n7,
           count(*) FILTER (WHERE ok AND time > (now() AT TIME ZONE 'UTC') - interval '30 days') AS ok30,
           count(*) FILTER (WHERE time > (now() AT TIME ZONE 'UTC') - interval '30 days') AS n30,
           count(*) FILTER (WHERE ok) AS ok90,
           count(*) AS n90
      FROM "MonitorResult"
     WHERE "monitorId" = ANY(${ids}) AND time > (now() AT TIME ZONE 'UTC') - interval '90 days'
     GROUP BY "monitorId"`;
  return new Map(rows.map((r) => [r.monitorId, { h24: pct(r.ok24, r.n24), d7: pct(r.ok7, r.n7), d30: pct(r.ok30, r.n30), d90: pct(r.ok90, r.n90) }]));
}
