// The embedded PostgreSQL's restart policy: backoff between restarts, and a process exit when it
// keeps failing (so a container restart policy or systemd takes over).
import { describe, expect, it } from "vitest";
import { decideRestart, describeEmbeddedState, DEFAULT_RESTART_POLICY, type RestartPolicy } from "~/server/db/restart-policy";

const policy: RestartPolicy = { maxFailures: 6, windowMs: 300_000, baseDelayMs: 500, maxDelayMs: 8_000 };

describe("decideRestart", () => {
  it("restarts after a first crash, soon", () => {
    expect(decideRestart([1_000], 1_000, policy)).toEqual({ giveUp: false, attempt: 1, delayMs: 500 });
  });

  it("doubles the wait for each failure in a row, up to the cap", () => {
    const times: number[] = [];
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      times.push(10_000 + i * 1_000);
      const d = decideRestart(times, times[times.length - 1]!, { ...policy, maxDelayMs: 4_000 });
      if (d.giveUp) throw new Error("gave up too early");
      delays.push(d.delayMs);
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 4_000]);
  });

  it("refuses to restart forever: the sixth failure within the window gives up", () => {
    const times = [0, 1_000, 3_000, 6_000, 11_000, 20_000];
    expect(decideRestart(times.slice(0, 5), 11_000, policy)).toMatchObject({ giveUp: false, attempt: 5 });
    expect(decideRestart(times, 20_000, policy)).toEqual({ giveUp: true, failures: 6 });
  });

  it("forgets failures older than the window: a crash a day is restarted every time", () => {
    const day = 86_400_000;
    const times = [0, day, 2 * day, 3 * day, 4 * day, 5 * day, 6 * day];
    expect(decideRestart(times, 6 * day, policy)).toEqual({ giveUp: false, attempt: 1, delayMs: 500 });
  });

  it("the default policy gives up within a few minutes", () => {
    expect(DEFAULT_RESTART_POLICY.windowMs).toBeLessThanOrEqual(10 * 60_000);
    expect(DEFAULT_RESTART_POLICY.maxFailures).toBeGreaterThan(1);
  });
});

describe("describeEmbeddedState", () => {
  it("says which restart attempt is under way", () => {
    expect(describeEmbeddedState({ state: "restarting", attempt: 2 })).toBe("restarting (attempt 2)");
    expect(describeEmbeddedState({ state: "running" })).toBe("running");
  });
});
