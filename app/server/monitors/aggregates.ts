// Pure parts of the result rollups (decision 061): the latency histogram's fixed buckets, and
// uptime / average / p95 over 24 h, 7 d, 30 d and 90 d from per-age-class sums. The SQL that
// fills them is in uptime.server.ts and retention.server.ts and uses the same bounds.

/** Upper bounds (ms, exclusive) of the latency buckets; one more bucket holds everything above. */
export const LATENCY_BOUNDS = [25, 50, 100, 200, 300, 500, 750, 1000, 2000, 5000, 10000] as const;
export const HISTOGRAM_SIZE = LATENCY_BOUNDS.length + 1;

/** Results are raw for 24 h, per minute until 7 days, per hour until 90 days. */
export const RAW_HOURS = 24;
export const MINUTE_DAYS = 7;
export const KEEP_DAYS = 90;

export const WINDOWS = ["h24", "d7", "d30", "d90"] as const;
export type Window = (typeof WINDOWS)[number];

export interface Sums {
  checks: number;
  up: number;
  latencySum: number;
  latencyCount: number;
  latencyMax: number | null;
  histogram: number[];
}

export interface WindowStats {
  uptime: number | null;
  avgMs: number | null;
  p95Ms: number | null;
}

export const emptySums = (): Sums => ({ checks: 0, up: 0, latencySum: 0, latencyCount: 0, latencyMax: null, histogram: new Array<number>(HISTOGRAM_SIZE).fill(0) });

export function addSums(a: Sums, b: Sums): Sums {
  return {
    checks: a.checks + b.checks,
    up: a.up + b.up,
    latencySum: a.latencySum + b.latencySum,
    latencyCount: a.latencyCount + b.latencyCount,
    latencyMax: a.latencyMax === null ? b.latencyMax : b.latencyMax === null ? a.latencyMax : Math.max(a.latencyMax, b.latencyMax),
    histogram: a.histogram.map((v, i) => v + (b.histogram[i] ?? 0)),
  };
}

/** The bucket index of a latency (the same rule as the SQL's FILTERs). */
export function bucketOf(ms: number): number {
  const i = LATENCY_BOUNDS.findIndex((b) => ms < b);
  return i === -1 ? LATENCY_BOUNDS.length : i;
}

/**
 * The q-quantile from a histogram: linear inside the bucket that holds it; the open last bucket
 * ends at the largest latency seen. Within one bucket's width of the exact value.
 */
export function quantile(histogram: number[], q: number, max: number | null): number | null {
  const total = histogram.reduce((s, v) => s + v, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const n = histogram[i] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const lo = i === 0 ? 0 : LATENCY_BOUNDS[i - 1]!;
      const hiRaw = i < LATENCY_BOUNDS.length ? LATENCY_BOUNDS[i]! : Math.max(max ?? lo, lo);
      const hi = max !== null ? Math.min(hiRaw, Math.max(max, lo)) : hiRaw;
      return Math.round(lo + ((rank - seen) / n) * (hi - lo));
    }
    seen += n;
  }
  return max;
}

export function statsOf(s: Sums): WindowStats {
  return {
    uptime: s.checks === 0 ? null : Math.round((s.up / s.checks) * 100_000) / 1000,
    avgMs: s.latencyCount === 0 ? null : Math.round(s.latencySum / s.latencyCount),
    p95Ms: quantile(s.histogram, 0.95, s.latencyMax),
  };
}

/**
 * Sums per age class (0: < 24 h, 1: < 7 d, 2: < 30 d, 3: < 90 d) → stats per window: each window
 * is its class and every younger one.
 */
export function windowStats(byClass: Map<number, Sums>): Record<Window, WindowStats> {
  let acc = emptySums();
  const out = {} as Record<Window, WindowStats>;
  WINDOWS.forEach((w, cls) => {
    const s = byClass.get(cls);
    if (s) acc = addSums(acc, s);
    out[w] = statsOf(acc);
  });
  return out;
}
