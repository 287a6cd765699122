// The monitor scheduler's arithmetic and bookkeeping with a synthetic clock: spread over the
// interval, no drift, bounded concurrency, skipped points instead of piled-up checks.
import { describe, expect, test } from "vitest";
import { nextRunAfter, offsetFor } from "~/server/monitors/schedule";
import { SchedulerCore } from "~/server/monitors/scheduler-core";

const ids = Array.from({ length: 2000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);

describe("schedule", () => {
  test("spreads 2,000 monitors over a 20 s interval instead of starting them together", () => {
    const perSecond = new Array(20).fill(0);
    for (const id of ids) perSecond[Math.floor(offsetFor(id, 20_000) / 1000)]++;
    // 100 per second on average; no second gets more than twice that.
    expect(Math.max(...perSecond)).toBeLessThan(200);
    expect(Math.min(...perSecond)).toBeGreaterThan(40);
  });

  test("gives one monitor the same offset every time", () => {
    expect(offsetFor(ids[7]!, 60_000)).toBe(offsetFor(ids[7]!, 60_000));
  });

  test("keeps run times on the grid whatever time a check ended (no drift)", () => {
    const offset = 3_000;
    // The check due at 23 s ended late, at 41.9 s: the next run is 43 s, not 41.9 + 20.
    expect(nextRunAfter(41_900, 20_000, offset)).toBe(43_000);
    expect(nextRunAfter(23_000, 20_000, offset)).toBe(43_000);
    expect(nextRunAfter(22_999, 20_000, offset)).toBe(23_000);
  });
});

describe("SchedulerCore", () => {
  const monitors = ids.slice(0, 10).map((id) => ({ id, intervalSeconds: 20 }));

  test("starts nothing before a monitor's first grid point and each monitor once per interval", () => {
    const core = new SchedulerCore<(typeof monitors)[number]>(100);
    core.sync(monitors, 0);
    expect(core.tick(0)).toEqual([]);
    const runs = new Map<string, number[]>();
    for (let t = 0; t <= 60_000; t += 250) {
      for (const s of core.tick(t)) {
        runs.set(s.item.id, [...(runs.get(s.item.id) ?? []), s.dueAt]);
        core.finished(s.item.id);
      }
    }
    for (const m of monitors) {
      const due = runs.get(m.id)!;
      expect(due.length).toBe(3);
      expect(due[1]! - due[0]!).toBe(20_000);
      expect(due[2]! - due[1]!).toBe(20_000);
    }
  });

  test("never has more checks in flight than its concurrency; the rest wait and run late", () => {
    const core = new SchedulerCore<(typeof monitors)[number]>(3);
    core.sync(monitors, 0);
    const started = core.tick(20_000);
    expect(started.length).toBe(3);
    expect(core.inFlight).toBe(3);
    expect(core.tick(20_100)).toEqual([]);
    core.finished(started[0]!.item.id);
    const next = core.tick(20_200);
    expect(next.length).toBe(1);
    expect(next[0]!.dueAt).toBeLessThanOrEqual(20_000);
  });

  test("skips a grid point while the previous check of the same monitor is still running", () => {
    const core = new SchedulerCore<(typeof monitors)[number]>(10);
    core.sync([monitors[0]!], 0);
    const first = core.tick(20_000);
    expect(first.length).toBe(1);
    // Still running one interval later: not started twice.
    expect(core.tick(40_000)).toEqual([]);
    expect(core.skipped).toBe(1);
    core.finished(monitors[0]!.id);
    expect(core.tick(60_000).length).toBe(1);
  });

  test("keeps a monitor's place when reloaded unchanged and drops deleted ones", () => {
    const core = new SchedulerCore<(typeof monitors)[number]>(10);
    core.sync(monitors, 0);
    const before = core.nextAtOf(monitors[0]!.id);
    core.sync(monitors.slice(0, 5), 5_000);
    expect(core.nextAtOf(monitors[0]!.id)).toBe(before);
    expect(core.size).toBe(5);
    expect(core.nextAtOf(monitors[9]!.id)).toBeUndefined();
  });
});
