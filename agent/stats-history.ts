// Recent usage history of one agent's containers and of its host, kept in memory on the agent
// (docs/decisions/105-stats-history-ring.md). Fed by every round of the agent's stats sampler;
// charts read it so they are full the moment they open. Pure: no I/O, no timers.
//
// Two bounded tiers per series, as aligned time buckets in ring slots: 10-s buckets for the last
// hour and 1-min buckets for the last 24 hours. A bucket keeps sums and counts (averages on read),
// so memory is fixed per series whatever the sampling interval: ~43 KB per container.
import type { ContainerStats } from "./types";

export const STATS_RANGES = ["1h", "6h", "24h"] as const;
export type StatsRange = (typeof STATS_RANGES)[number];

/** Width of the points served for each range (≤ 360 points each). */
export const RANGE_STEP_MS: Record<StatsRange, number> = { "1h": 10_000, "6h": 60_000, "24h": 300_000 };
export const RANGE_MS: Record<StatsRange, number> = { "1h": 3_600_000, "6h": 21_600_000, "24h": 86_400_000 };

/** One machine-wide sample: CPU % of all cores (0–100), memory in use and installed. */
export interface HostStats {
  time: string;
  cpuPercent: number | null;
  cpuCount: number;
  memoryBytes: number;
  memoryTotalBytes: number;
}

export interface StatsPoint {
  /** Start of the bucket (ISO). */
  time: string;
  cpuPercent: number | null;
  memoryBytes: number | null;
  networkRxBytesPerSecond: number | null;
  networkTxBytesPerSecond: number | null;
}

export interface StatsHistorySeries {
  range: StatsRange;
  stepMs: number;
  from: string;
  to: string;
  /** The latest memory limit (containers) or installed memory (host); null when never sampled. */
  memoryLimitBytes: number | null;
  /** Host only: the number of CPUs (100 % = all of them). */
  cpuCount?: number;
  points: StatsPoint[];
}

const FIELDS = 4; // cpu, memory, rx rate, tx rate

class Tier {
  readonly buckets: Int32Array;
  readonly sums: Float32Array;
  readonly counts: Uint16Array;
  constructor(
    readonly stepMs: number,
    readonly capacity: number,
  ) {
    this.buckets = new Int32Array(capacity).fill(-1);
    this.sums = new Float32Array(capacity * FIELDS);
    this.counts = new Uint16Array(capacity * FIELDS);
  }

  add(timeMs: number, values: (number | null)[]): void {
    const bucket = Math.floor(timeMs / this.stepMs);
    const slot = bucket % this.capacity;
    if (this.buckets[slot] !== bucket) {
      if (this.buckets[slot] > bucket) return; // older than what the slot holds: too late
      this.buckets[slot] = bucket;
      this.sums.fill(0, slot * FIELDS, slot * FIELDS + FIELDS);
      this.counts.fill(0, slot * FIELDS, slot * FIELDS + FIELDS);
    }
    for (let f = 0; f < FIELDS; f++) {
      const v = values[f];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      this.sums[slot * FIELDS + f] += v;
      this.counts[slot * FIELDS + f] = Math.min(this.counts[slot * FIELDS + f] + 1, 65_535);
    }
  }

  /** Buckets of `stepMs` (a multiple of this tier's step) between from and to, oldest first; empty ones left out. */
  read(fromMs: number, toMs: number, stepMs: number): StatsPoint[] {
    const per = Math.max(1, Math.round(stepMs / this.stepMs));
    const first = Math.floor(fromMs / stepMs) * per;
    const last = Math.floor(toMs / this.stepMs);
    const points: StatsPoint[] = [];
    for (let group = first; group <= last; group += per) {
      const sums = [0, 0, 0, 0];
      const counts = [0, 0, 0, 0];
      for (let bucket = group; bucket < group + per && bucket <= last; bucket++) {
        const slot = bucket % this.capacity;
        if (this.buckets[slot] !== bucket) continue;
        for (let f = 0; f < FIELDS; f++) {
          sums[f] += this.sums[slot * FIELDS + f];
          counts[f] += this.counts[slot * FIELDS + f];
        }
      }
      if (counts.every((c) => c === 0)) continue;
      const avg = (f: number, digits: number) => (counts[f] ? round(sums[f] / counts[f], digits) : null);
      points.push({
        time: new Date(group * this.stepMs).toISOString(),
        cpuPercent: avg(0, 2),
        memoryBytes: avg(1, 0),
        networkRxBytesPerSecond: avg(2, 0),
        networkTxBytesPerSecond: avg(3, 0),
      });
    }
    return points;
  }
}

interface Series {
  fine: Tier;
  coarse: Tier;
  limit: number | null;
  cpuCount?: number;
  lastSeenMs: number;
  /** Previous network counters, for rates. */
  previous: { timeMs: number; rx: number; tx: number } | null;
}

const HOST_KEY = "\u0000host";

export class StatsHistory {
  private readonly series = new Map<string, Series>();
  private lastSweepMs = 0;

  /** Records one sampling round. */
  record(containers: ContainerStats[], host: HostStats | null, nowMs = Date.now()): void {
    for (const c of containers) {
      const timeMs = parseTime(c.time, nowMs);
      const s = this.seriesFor(c.id, nowMs);
      const rates = rateBetween(s.previous, timeMs, c.networkRxBytes, c.networkTxBytes);
      s.previous = { timeMs, rx: c.networkRxBytes, tx: c.networkTxBytes };
      s.limit = c.memoryLimitBytes || s.limit;
      const values = [c.cpuPercent, c.memoryBytes, rates.rx, rates.tx];
      s.fine.add(timeMs, values);
      s.coarse.add(timeMs, values);
    }
    if (host) {
      const timeMs = parseTime(host.time, nowMs);
      const s = this.seriesFor(HOST_KEY, nowMs);
      s.limit = host.memoryTotalBytes;
      s.cpuCount = host.cpuCount;
      const values = [host.cpuPercent, host.memoryBytes, null, null];
      s.fine.add(timeMs, values);
      s.coarse.add(timeMs, values);
    }
    // Containers not seen for a day (removed, or stopped long ago) are forgotten.
    if (nowMs - this.lastSweepMs > 600_000) {
      this.lastSweepMs = nowMs;
      for (const [key, s] of this.series) if (nowMs - s.lastSeenMs > RANGE_MS["24h"]) this.series.delete(key);
    }
  }

  /** The history of one container (by full id) or, with `containerId` null, of the host. */
  query(containerId: string | null, range: StatsRange, nowMs = Date.now()): StatsHistorySeries {
    const stepMs = RANGE_STEP_MS[range];
    const fromMs = nowMs - RANGE_MS[range];
    const s = this.series.get(containerId ?? HOST_KEY);
    const tier = s && (stepMs % s.fine.stepMs === 0 && RANGE_MS[range] <= s.fine.stepMs * s.fine.capacity ? s.fine : s.coarse);
    return {
      range,
      stepMs,
      from: new Date(fromMs).toISOString(),
      to: new Date(nowMs).toISOString(),
      memoryLimitBytes: s?.limit ?? null,
      ...(containerId === null ? { cpuCount: s?.cpuCount ?? 0 } : {}),
      points: tier ? tier.read(fromMs, nowMs, stepMs) : [],
    };
  }

  get size(): number {
    return this.series.size;
  }

  private seriesFor(key: string, nowMs: number): Series {
    let s = this.series.get(key);
    if (!s) {
      s = { fine: new Tier(10_000, 361), coarse: new Tier(60_000, 1441), limit: null, lastSeenMs: nowMs, previous: null };
      this.series.set(key, s);
    }
    s.lastSeenMs = nowMs;
    return s;
  }
}

function rateBetween(previous: Series["previous"], timeMs: number, rx: number, tx: number): { rx: number | null; tx: number | null } {
  if (!previous) return { rx: null, tx: null };
  const seconds = (timeMs - previous.timeMs) / 1000;
  // Counters reset (restart) or a gap long enough that a rate would mislead.
  if (seconds <= 0 || seconds > 600 || rx < previous.rx || tx < previous.tx) return { rx: null, tx: null };
  return { rx: (rx - previous.rx) / seconds, tx: (tx - previous.tx) / seconds };
}

function parseTime(iso: string, fallback: number): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? fallback : t;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
