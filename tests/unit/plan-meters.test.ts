// The plan page's meters (decision 126): each limit with its usage, the bar's share, the level
// that colours it, and what happens at the limit.
import { describe, expect, test } from "vitest";
import { PLAN_LIMITS, usageMeters } from "~/plans";

const GiB = 1024 ** 3;
const END = "2027-01-01T00:00:00.000Z";

describe("usageMeters", () => {
  test("the four limits of the plan, in order, with usage as text", () => {
    const meters = usageMeters("free", { agents: 0, members: 1, logBytesThisMonth: 512 * 1024 ** 2, retentionDays: 7 }, END);
    expect(meters.map((m) => [m.key, m.usedText, m.allowedText])).toEqual([
      ["agents", "0", "1"],
      ["members", "1", "3"],
      ["logRetentionDays", "7 days", "7 days"],
      ["logBytesPerMonth", "512 MiB", "1 GiB"],
    ]);
    expect(meters.map((m) => m.percent)).toEqual([0, 33, 100, 50]);
  });

  test("levels: ok below 80 %, near from 80 %, at when nothing more fits; the bar never passes 100 %", () => {
    const level = (members: number) => usageMeters("team", { agents: 0, members, logBytesThisMonth: 0, retentionDays: 1 }, END)[1]!;
    expect(level(19).level).toBe("ok");
    expect(level(20).level).toBe("near");
    expect(level(25).level).toBe("at");
    // A plan moved down leaves more than it allows.
    expect(level(40)).toMatchObject({ level: "at", percent: 100, usedText: "40" });
  });

  test("retention shows the chosen days capped by the plan; the log volume says when it starts over", () => {
    const [, , retention, volume] = usageMeters("free", { agents: 1, members: 1, logBytesThisMonth: 2 * GiB, retentionDays: 30 }, END);
    // A choice, not consumption: at the maximum it is full, not an alarm.
    expect(retention).toMatchObject({ used: PLAN_LIMITS.free.logRetentionDays, percent: 100, level: "ok" });
    expect(volume).toMatchObject({ level: "at", percent: 100 });
    expect(volume!.atLimit).toMatch(/until the volume starts over on January 1 \(UTC\)/);
  });
});
