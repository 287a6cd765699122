import { describe, expect, test } from "vitest";
import { formatDuration, incidentTimeline, latencyChart, latencySummary } from "~/components/monitors/detail-model";

const at = (min: number) => new Date(Date.UTC(2026, 11, 3, 9, min)).toISOString();

describe("monitor detail", () => {
  test("pairs each down with the up that ended it, newest first; an open down is ongoing until now", () => {
    const items = [
      { id: "3", kind: "down" as const, cause: "timeout", message: "no answer", at: at(30) },
      { id: "2", kind: "up" as const, cause: null, message: "HTTP 200", at: at(12) },
      { id: "1", kind: "down" as const, cause: "status", message: "HTTP 500", at: at(10) },
    ];
    const t = incidentTimeline(items, Date.parse(at(35)));
    expect(t.map((e) => [e.id, e.durationMs, e.ongoing])).toEqual([
      ["3", 5 * 60_000, true],
      ["2", 2 * 60_000, false],
      ["1", 2 * 60_000, false],
    ]);
  });

  test("formats durations in the two largest units", () => {
    expect([formatDuration(42_000), formatDuration(125_000), formatDuration(3_900_000), formatDuration(90_000_000)]).toEqual(["42 s", "2 min 5 s", "1 h 5 min", "1 d 1 h"]);
  });

  test("summarises latency over successful checks only and breaks the chart line at a failure", () => {
    const results = [
      { time: at(0), ok: true, latencyMs: 10 },
      { time: at(1), ok: true, latencyMs: 30 },
      { time: at(2), ok: false, latencyMs: null },
      { time: at(3), ok: true, latencyMs: 20 },
    ];
    expect(latencySummary(results)).toEqual({ checks: 4, failed: 1, avgMs: 20, p95Ms: 30, maxMs: 30 });
    const chart = latencyChart(results, Date.parse(at(0)), Date.parse(at(3)), 300, 100);
    expect(chart.top).toBe(30);
    expect(chart.path.match(/M/g)).toHaveLength(2);
    expect(chart.failures).toEqual([200]);
  });
});
