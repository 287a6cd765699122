// Container and host usage history served by the agent's bounded in-memory ring (decision 105),
// against the real server and the test Docker engine: a busy container's CPU shows up in the
// history without anybody watching it live, the series stays bounded, and neither a viewer of
// another organization nor bad input reaches it.
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { removeTestContainers } from "../setup/docker";
import { localAgentId, runContainer, userClient } from "../setup/containers";
import { Client, secondOrganizationClient, setUpServer, startServer, type TestServer } from "../setup/server";

const RUN_ID = `stats-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
const BUSY = ["sh", "-c", "trap 'exit 0' TERM; while :; do :; done"];
let server: TestServer;
let admin: Client;
let agentId: string;
let busyId: string;

interface Series {
  range: string;
  stepMs: number;
  from: string;
  to: string;
  memoryLimitBytes: number | null;
  cpuCount?: number;
  points: { time: string; cpuPercent: number | null; memoryBytes: number | null; networkRxBytesPerSecond: number | null }[];
}

async function history(client: Client, path: string): Promise<Series> {
  const res = await client.request(path);
  expect(res.status).toBe(200);
  return (await res.json()) as Series;
}

/** Polls the history (not a live stream) until `ok` holds: the sampler rounds every 5 s. */
async function historyUntil(path: string, ok: (s: Series) => boolean, timeoutMs = 40_000): Promise<Series> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await history(admin, path);
    if (ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`history never satisfied the condition: ${JSON.stringify(s).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

beforeAll(async () => {
  server = await startServer({ env: { DOCKER_HOST: dockerHost } });
  admin = await setUpServer(server);
  agentId = await localAgentId(admin);
  busyId = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-busy`, BUSY, ["--memory", "64m"]);
});

afterAll(async () => {
  await server?.stop();
  await removeTestContainers(dockerHost, RUN_ID);
});

describe("stats history", () => {
  test("a busy container's history has points with CPU > 0 inside the range, against its memory limit, without a live viewer", async () => {
    const path = `/api/v1/agents/${agentId}/containers/${RUN_ID}-busy/stats?range=1h`;
    const s = await historyUntil(path, (x) => x.points.some((p) => (p.cpuPercent ?? 0) > 0));
    expect(s).toMatchObject({ range: "1h", stepMs: 10_000, memoryLimitBytes: 64 * 1024 * 1024, containerId: busyId });
    const from = Date.parse(s.from);
    const to = Date.parse(s.to);
    expect(to - from).toBe(3_600_000);
    for (const p of s.points) {
      const t = Date.parse(p.time);
      expect(t).toBeGreaterThanOrEqual(from - 10_000);
      expect(t).toBeLessThanOrEqual(to);
      expect(p.memoryBytes).toBeGreaterThan(0);
    }
    // A spinning shell keeps a core as busy as the machine lets it (idle busybox reads ~0.0x %;
    // on a loaded shared machine the spinner may get only a fraction of a core).
    expect(Math.max(...s.points.map((p) => p.cpuPercent ?? 0))).toBeGreaterThan(1);
    // Points are ordered and bounded by the range's step.
    const times = s.points.map((p) => Date.parse(p.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(s.points.length).toBeLessThanOrEqual(361);
  });

  test("every range answers a bounded series with its own step; the host has CPU and memory against installed memory", async () => {
    for (const [range, step] of [["6h", 60_000], ["24h", 300_000]] as const) {
      const s = await history(admin, `/api/v1/agents/${agentId}/containers/${busyId}/stats?range=${range}`);
      expect(s.stepMs).toBe(step);
      expect(s.points.length).toBeGreaterThan(0);
      expect(s.points.length).toBeLessThanOrEqual(361);
    }
    const host = await historyUntil(`/api/v1/agents/${agentId}/stats?range=1h`, (x) => x.points.some((p) => p.cpuPercent !== null));
    expect(host.cpuCount).toBeGreaterThan(0);
    expect(host.memoryLimitBytes).toBeGreaterThan(0);
    for (const p of host.points) {
      expect(p.memoryBytes).toBeGreaterThan(0);
      expect(p.memoryBytes).toBeLessThanOrEqual(host.memoryLimitBytes!);
      if (p.cpuPercent !== null) expect(p.cpuPercent).toBeLessThanOrEqual(100);
    }
  });

  test("another organization's agent, an unknown container and a bad range are refused", async () => {
    const other = await secondOrganizationClient(server);
    expect((await other.request(`/api/v1/agents/${agentId}/containers/${busyId}/stats`)).status).toBe(404);
    expect((await other.request(`/api/v1/agents/${agentId}/stats`)).status).toBe(404);
    expect((await admin.request(`/api/v1/agents/${agentId}/containers/${RUN_ID}-missing/stats`)).status).toBe(404);
    const bad = await admin.request(`/api/v1/agents/${agentId}/containers/${busyId}/stats?range=7d`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ code: "validation_failed", fields: { range: expect.any(String) } });
  });

  test("a viewer may read the history; nobody logged out may", async () => {
    const viewer = await userClient(server, admin, "viewer", "viewer@example.com");
    expect((await viewer.request(`/api/v1/agents/${agentId}/containers/${busyId}/stats?range=1h`)).status).toBe(200);
    expect((await new Client(server.url).request(`/api/v1/agents/${agentId}/stats`)).status).toBe(401);
  });
});
