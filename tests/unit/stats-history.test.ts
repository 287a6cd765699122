// The agent's bounded usage history (decision 105): averages per bucket, ranges, gaps, bounds.
import { describe, expect, test } from "vitest";
import { StatsHistory } from "#agent/stats-history";
import { cpuPercentBetweenTimes, parseMeminfo, parseProcStat } from "#agent/local/host-stats";

const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);
const sample = (id: string, t: number, cpu: number | null, memory: number, rx = 0) => ({
  id,
  time: new Date(t).toISOString(),
  cpuPercent: cpu,
  memoryBytes: memory,
  memoryLimitBytes: 1000,
  networkRxBytes: rx,
  networkTxBytes: 0,
});

describe("stats history", () => {
  test("samples of one 10-s bucket are averaged; network counters become rates", () => {
    const h = new StatsHistory();
    h.record([sample("a", T0, null, 100, 0)], null, T0);
    h.record([sample("a", T0 + 5_000, 10, 200, 5_000)], null, T0 + 5_000);
    h.record([sample("a", T0 + 10_000, 30, 300, 10_000)], null, T0 + 10_000);
    const s = h.query("a", "1h", T0 + 12_000);
    expect(s.memoryLimitBytes).toBe(1000);
    expect(s.points).toEqual([
      { time: new Date(T0).toISOString(), cpuPercent: 10, memoryBytes: 150, networkRxBytesPerSecond: 1000, networkTxBytesPerSecond: 0 },
      { time: new Date(T0 + 10_000).toISOString(), cpuPercent: 30, memoryBytes: 300, networkRxBytesPerSecond: 1000, networkTxBytesPerSecond: 0 },
    ]);
  });

  test("a day of 5-s samples stays bounded: 1 h of 10-s points, 6 h of 1-min points, 24 h of 5-min points", () => {
    const h = new StatsHistory();
    const end = T0 + 26 * 3_600_000;
    for (let t = T0; t <= end; t += 5_000) h.record([sample("a", t, 50, 500)], null, t);
    expect(h.query("a", "1h", end).points.length).toBeLessThanOrEqual(361);
    expect(h.query("a", "1h", end).points.length).toBeGreaterThanOrEqual(360);
    expect(h.query("a", "6h", end).points.length).toBe(361);
    const day = h.query("a", "24h", end);
    expect(day.points.length).toBe(289);
    expect(Date.parse(day.points[0].time)).toBeGreaterThanOrEqual(end - 86_400_000 - 300_000);
    expect(day.points.every((p) => p.cpuPercent === 50 && p.memoryBytes === 500)).toBe(true);
  });

  test("a gap leaves no points; an unknown container has an empty series; the host keeps its CPU count", () => {
    const h = new StatsHistory();
    h.record([sample("a", T0, 1, 1)], { time: new Date(T0).toISOString(), cpuPercent: 12.5, cpuCount: 4, memoryBytes: 10, memoryTotalBytes: 40 }, T0);
    h.record([sample("a", T0 + 600_000, 2, 2)], null, T0 + 600_000);
    expect(h.query("a", "1h", T0 + 600_000).points.map((p) => p.cpuPercent)).toEqual([1, 2]);
    expect(h.query("b", "1h", T0).points).toEqual([]);
    expect(h.query(null, "1h", T0)).toMatchObject({ cpuCount: 4, memoryLimitBytes: 40, points: [{ cpuPercent: 12.5, memoryBytes: 10 }] });
  });

  test("containers not seen for a day are forgotten", () => {
    const h = new StatsHistory();
    h.record([sample("old", T0, 1, 1)], null, T0);
    h.record([sample("new", T0 + 25 * 3_600_000, 1, 1)], null, T0 + 25 * 3_600_000);
    expect(h.size).toBe(1);
  });
});

describe("host figures from /proc", () => {
  test("CPU % comes from busy over total jiffies between two reads; memory is total minus available", () => {
    const a = parseProcStat("cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 1 1 1\n")!;
    const b = parseProcStat("cpu  200 0 200 1400 200 0 0 0 0 0\ncpu0 1 1 1 1\n")!;
    expect(cpuPercentBetweenTimes(null, a)).toBeNull();
    expect(cpuPercentBetweenTimes(a, b)).toBe(20);
    expect(parseMeminfo("MemTotal:  2048 kB\nMemFree: 10 kB\nMemAvailable:  1024 kB\n")).toEqual({ totalBytes: 2048 * 1024, usedBytes: 1024 * 1024 });
    expect(parseMeminfo("nonsense")).toBeNull();
  });
});
