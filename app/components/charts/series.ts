// Pure helpers between the stats history the server keeps (StatsPoint, decision 105) and the
// columns a chart draws: live samples merged into the current bucket, gaps made visible.
import type { StatsPoint, StatsRange } from "#agent/stats-history";

export type { StatsPoint, StatsRange };
export const RANGES: { id: StatsRange; label: string; ms: number }[] = [
  { id: "1h", label: "1 h", ms: 3_600_000 },
  { id: "6h", label: "6 h", ms: 21_600_000 },
  { id: "24h", label: "24 h", ms: 86_400_000 },
];

/** A history point, plus how many samples a live merge has averaged into it. */
export type LivePoint = StatsPoint & { n?: number };

export interface LiveSample {
  timeMs: number;
  cpuPercent: number | null;
  memoryBytes: number | null;
  networkRxBytesPerSecond: number | null;
  networkTxBytesPerSecond: number | null;
}

const KEYS = ["cpuPercent", "memoryBytes", "networkRxBytesPerSecond", "networkTxBytesPerSecond"] as const;

/** Adds a live sample to its bucket (averaged with the samples already there) and drops points older than the range. */
export function mergeLive(points: LivePoint[], sample: LiveSample, stepMs: number, rangeMs: number): LivePoint[] {
  const bucketMs = Math.floor(sample.timeMs / stepMs) * stepMs;
  const time = new Date(bucketMs).toISOString();
  const cutoff = sample.timeMs - rangeMs;
  const kept = points.filter((p) => Date.parse(p.time) >= cutoff - stepMs);
  const last = kept.at(-1);
  if (last && Date.parse(last.time) > bucketMs) return kept; // late sample: history already covers it
  if (last && last.time === time) {
    const n = last.n ?? 1;
    const merged: LivePoint = { ...last, n: n + 1 };
    for (const k of KEYS) {
      const v = sample[k];
      if (v === null) continue;
      merged[k] = last[k] === null ? v : (last[k]! * n + v) / (n + 1);
    }
    return [...kept.slice(0, -1), merged];
  }
  return [...kept, { time, n: 1, ...Object.fromEntries(KEYS.map((k) => [k, sample[k]])) } as LivePoint];
}

/** Columns for the chart: x in seconds, then one column per key; a null row breaks the line over a gap. */
export function toColumns(points: StatsPoint[], stepMs: number, keys: readonly (typeof KEYS)[number][]): (number | null)[][] {
  const xs: number[] = [];
  const cols: (number | null)[][] = keys.map(() => []);
  let previous: number | null = null;
  for (const p of points) {
    const t = Date.parse(p.time);
    if (previous !== null && t - previous > stepMs * 2.5) {
      xs.push((previous + stepMs) / 1000);
      cols.forEach((c) => c.push(null));
    }
    xs.push(t / 1000);
    keys.forEach((k, i) => cols[i].push(p[k]));
    previous = t;
  }
  return [xs, ...cols];
}

/** Rates from two cumulative network counters, bytes per second; null without a usable previous. */
export function rateOf(previous: { timeMs: number; value: number } | null, timeMs: number, value: number): number | null {
  if (!previous) return null;
  const seconds = (timeMs - previous.timeMs) / 1000;
  if (seconds <= 0 || value < previous.value) return null;
  return (value - previous.value) / seconds;
}

/** `HH:MM` or `HH:MM:SS` in UTC, the app's one clock. */
export function utcClock(seconds: number, withSeconds = false): string {
  return new Date(seconds * 1000).toISOString().slice(11, withSeconds ? 19 : 16);
}
