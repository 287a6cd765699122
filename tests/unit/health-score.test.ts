// The pure health scorers: what lowers a score, and that the overall score is never better than
// the worst area's band.
import { describe, expect, it } from "vitest";
import {
  exitCodeOf,
  HEALTH_AREAS,
  overall,
  scoreAlerts,
  scoreContainers,
  scoreMonitors,
  scoreProxies,
  type AreaScore,
  type HealthArea,
  type ProxyHealthFacts,
} from "~/server/health/score";

const ok: AreaScore = { score: 100, status: "ok", reasons: ["fine"], details: {} };
const allOk = () => Object.fromEntries(HEALTH_AREAS.map((a) => [a, ok])) as Record<HealthArea, AreaScore>;
const container = (name: string, state: string, status: string, health = "none") => ({ name, state, status, health });
const proxy = (over: Partial<ProxyHealthFacts>): ProxyHealthFacts => ({
  name: "app.example.com",
  enabled: true,
  state: "ok",
  message: null,
  upstreamReachable: true,
  upstream: "10.0.0.5:8080",
  upstreamMessage: "reachable",
  ...over,
});

describe("containers", () => {
  it("reads the exit code from Docker's status line", () => {
    expect(exitCodeOf("Exited (1) 2 minutes ago")).toBe(1);
    expect(exitCodeOf("Exited (0) About an hour ago")).toBe(0);
    expect(exitCodeOf("Up 3 hours (healthy)")).toBeNull();
  });

  it("refuses to call a crashed container healthy: exit code ≠ 0 fails the area with its name", () => {
    const area = scoreContainers([container("web", "running", "Up 1 hour"), container("worker", "exited", "Exited (2) 5 seconds ago")]);
    expect(area).toMatchObject({ score: 40, status: "fail", reasons: ["worker: crashed (exit code 2)"] });
    expect(area.details).toMatchObject({ total: 2, running: 1, crashed: 1 });
  });

  it("does not count a container stopped on purpose (exit 0, or 143/137 after docker stop)", () => {
    const area = scoreContainers([container("a", "exited", "Exited (0) 1 hour ago"), container("b", "exited", "Exited (143) 1 hour ago"), container("c", "exited", "Exited (137) 1 hour ago")]);
    expect(area).toMatchObject({ score: 100, status: "ok" });
  });

  it("lowers the score for dead, restarting and unhealthy containers", () => {
    expect(scoreContainers([container("d", "dead", "Dead")]).reasons).toEqual(["d: dead"]);
    expect(scoreContainers([container("r", "restarting", "Restarting (1) 2 seconds ago")]).status).toBe("fail");
    expect(scoreContainers([container("u", "running", "Up 2 minutes (unhealthy)", "unhealthy")])).toMatchObject({ score: 60, status: "warn", reasons: ["u: health check failing"] });
  });

  it("says so when the containers could not be listed", () => {
    expect(scoreContainers(null).reasons[0]).toMatch(/could not be listed/);
  });
});

describe("proxy hosts", () => {
  it("refuses to call a dead upstream healthy: the host and its upstream are named", () => {
    const area = scoreProxies([proxy({ upstreamReachable: false, upstreamMessage: "connection refused" })]);
    expect(area).toMatchObject({ score: 40, status: "fail", reasons: ["app.example.com: upstream 10.0.0.5:8080 does not answer (connection refused)"] });
    expect(area.details).toMatchObject({ deadUpstreams: 1 });
  });

  it("fails a host whose apply failed and notes a pending one", () => {
    expect(scoreProxies([proxy({ state: "error", message: "nginx -t failed" })]).reasons).toEqual(["app.example.com: not applied (nginx -t failed)"]);
    expect(scoreProxies([proxy({ state: "pending" })])).toMatchObject({ score: 90, status: "ok" });
  });

  it("ignores disabled hosts", () => {
    expect(scoreProxies([proxy({ enabled: false, upstreamReachable: false })])).toMatchObject({ score: 100 });
  });
});

describe("alerts and monitors", () => {
  const alert = (targetName: string) => ({ ruleName: "CPU high", targetName, message: "cpu 93 %", firedAt: "2026-12-03T09:00:00.000Z" });

  it("refuses to stay healthy while alerts fire: one needs attention, two fail", () => {
    expect(scoreAlerts([])).toMatchObject({ score: 100, reasons: ["No alert is firing"] });
    expect(scoreAlerts([alert("web")])).toMatchObject({ score: 60, status: "warn", reasons: ["CPU high firing on web: cpu 93 %"] });
    expect(scoreAlerts([alert("web"), alert("db")])).toMatchObject({ score: 40, status: "fail" });
  });

  it("fails for a monitor that is down", () => {
    expect(scoreMonitors([{ name: "site", status: "down", message: "HTTP 502" }, { name: "api", status: "up", message: null }])).toMatchObject({
      score: 40,
      reasons: ["site: down (HTTP 502)"],
      details: { total: 2, up: 1, down: 1 },
    });
  });
});

describe("overall", () => {
  it("refuses 'Healthy 95' while two alerts fire: a failing area caps the score at 49, with its reasons", () => {
    const areas = { ...allOk(), alerts: scoreAlerts([{ ruleName: "r", targetName: "a", message: "m", firedAt: "" }, { ruleName: "r", targetName: "b", message: "m", firedAt: "" }]) };
    const report = overall(areas, new Date(0));
    expect(report.score).toBe(49);
    expect(report.status).toBe("fail");
    expect(report.reasons).toEqual(["r firing on a: m", "r firing on b: m"]);
  });

  it("keeps the overall status at 'needs attention' while any area does", () => {
    const report = overall({ ...allOk(), containers: { score: 60, status: "warn", reasons: ["u: health check failing"], details: {} } }, new Date(0));
    expect(report).toMatchObject({ score: 79, status: "warn", reasons: ["u: health check failing"] });
  });

  it("lists the worst area's reasons first and none when all is well", () => {
    const worse = { score: 20, status: "fail" as const, reasons: ["worst"], details: {} };
    const bad = { score: 60, status: "warn" as const, reasons: ["bad"], details: {} };
    expect(overall({ ...allOk(), docker: bad, certificates: worse }, new Date(0)).reasons).toEqual(["worst", "bad"]);
    expect(overall(allOk(), new Date(0))).toMatchObject({ score: 100, status: "ok", reasons: [] });
  });
});
