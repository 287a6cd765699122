// The dashboard's counting: crashes read as the health score reads them, newest first; top lists.
import { describe, expect, it } from "vitest";
import { countContainers, countProxies, type CountableContainer } from "~/server/dashboard/counts";

const c = (name: string, over: Partial<CountableContainer> = {}): CountableContainer => ({
  id: name,
  name,
  state: "running",
  health: "none",
  exitCode: null,
  createdAt: "2026-12-01T00:00:00.000Z",
  cpuPercent: null,
  memoryBytes: null,
  memoryLimitBytes: null,
  ...over,
});

describe("countContainers", () => {
  it("refuses to count a requested stop as a crash and lists the newest crash first", () => {
    const counts = countContainers([
      c("old", { state: "exited", exitCode: 1, createdAt: "2026-11-01T00:00:00.000Z" }),
      c("stopped", { state: "exited", exitCode: 143 }),
      c("new", { state: "exited", exitCode: 2, createdAt: "2026-12-02T00:00:00.000Z" }),
      c("web", { cpuPercent: 12.5, memoryBytes: 50e6 }),
      c("db", { cpuPercent: 40, memoryBytes: 10e6, health: "unhealthy" }),
    ]);
    expect(counts).toMatchObject({ total: 5, running: 2, stopped: 3 });
    expect(counts.crashed.map((x) => x.name)).toEqual(["new", "old"]);
    expect(counts.unhealthy.map((x) => x.name)).toEqual(["db"]);
    expect(counts.topCpu.map((x) => x.name)).toEqual(["db", "web"]);
    expect(counts.topMemory.map((x) => x.name)).toEqual(["web", "db"]);
  });
});

describe("countProxies", () => {
  it("counts by last apply and names the hosts with a failed apply or a dead upstream", () => {
    const host = { enabled: true, message: null, upstream: "10.0.0.1:80" };
    const counts = countProxies([
      { ...host, id: "1", name: "a.test", state: "ok", upstreamReachable: true },
      { ...host, id: "2", name: "b.test", state: "ok", upstreamReachable: false },
      { ...host, id: "3", name: "c.test", state: "error", message: "nginx -t failed", upstreamReachable: null },
      { ...host, id: "4", name: "d.test", state: "pending", upstreamReachable: null, enabled: false },
    ]);
    expect(counts).toMatchObject({ total: 4, ok: 2, error: 1, pending: 0, disabled: 1 });
    expect(counts.problems).toEqual([
      { id: "2", name: "b.test", reason: "upstream 10.0.0.1:80 does not answer" },
      { id: "3", name: "c.test", reason: "not applied: nginx -t failed" },
    ]);
  });
});
