// The dashboard and GET /api/v1/health against a real server on the test Docker engine and a real
// nginx, with the three things the old score ignored: a crashed container, a firing alert and a
// proxy host whose upstream does not answer.
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { removeTestContainers } from "../setup/docker";
import { stopNginxOf } from "../setup/nginx";
import { freePort } from "../setup/postgres";
import { seedTroubledWorkload } from "../setup/troubled-workload";
import { ADMIN, setUpServer, startServer, type Client, type TestServer } from "../setup/server";

interface Area {
  score: number;
  status: string;
  reasons: string[];
  details: Record<string, unknown>;
}
type Health = { score: number; status: string; reasons: string[]; areas: Record<string, Area> };

const runId = `i20-${randomUUID().slice(0, 8)}`;
const crashedName = `${runId}-crashed`;
let server: TestServer;
let admin: Client;
let deadPort: number;
let proxyId: string;

beforeAll(async () => {
  server = await startServer({
    env: {
      DOCKER_HOST: inject("dockerHost"),
      NGINX_BIN: "/usr/sbin/nginx",
      NGINX_HTTP_PORT: String(await freePort()),
      NGINX_HTTPS_PORT: String(await freePort()),
      NGINX_LISTEN_ADDRESS: "127.0.0.1",
    },
  });
  admin = await setUpServer(server);
  ({ deadPort, proxyId } = await seedTroubledWorkload(server, admin, { runId, crashedName, domain: "dead.i20.test", alertTargets: ["web-1", "web-2"] }));
}, 120_000);

afterAll(async () => {
  await removeTestContainers(inject("dockerHost"), runId).catch(() => undefined);
  await server?.stop();
  if (server) {
    stopNginxOf(server.dataDir);
    rmSync(server.dataDir, { recursive: true, force: true });
  }
});

describe("health with crashed containers, firing alerts and dead upstreams", () => {
  test("refuses to call a crashed container healthy: the containers area fails and names it", async () => {
    const health = (await (await admin.request("/api/v1/health")).json()) as Health;
    expect(health.areas.containers!.status).toBe("fail");
    expect(health.areas.containers!.reasons).toContain(`${crashedName}: crashed (exit code 3)`);
  });

  test("refuses to stay healthy while two alerts fire, with the alerts as reasons", async () => {
    const health = (await (await admin.request("/api/v1/health")).json()) as Health;
    expect(health.areas.alerts).toMatchObject({ status: "fail", details: { firing: 2 } });
    expect(health.areas.alerts!.reasons).toEqual(expect.arrayContaining(["CPU over 90 % firing on web-1: cpu 97 % for 5 minutes", "CPU over 90 % firing on web-2: cpu 97 % for 5 minutes"]));
    expect(health.score).toBeLessThanOrEqual(49);
    expect(health.status).toBe("fail");
    expect(health.reasons).toContain("CPU over 90 % firing on web-1: cpu 97 % for 5 minutes");
  });

  test("refuses to call a dead upstream healthy: the proxy host and its upstream are named", async () => {
    const health = (await (await admin.request("/api/v1/health")).json()) as Health;
    expect(health.areas.proxies!.status).toBe("fail");
    expect(health.areas.proxies!.reasons.join("\n")).toContain(`dead.i20.test: upstream 127.0.0.1:${deadPort} does not answer`);
    // The contract's areas are all still there.
    for (const area of ["certificates", "database", "system", "docker", "nginx"]) expect(health.areas[area]).toMatchObject({ score: expect.any(Number), status: expect.any(String), reasons: expect.any(Array) });
  });
});

describe("dashboard", () => {
  test("refuses the hard-coded empty state: the live proxy host, the crash and the alerts are shown", async () => {
    const res = await admin.request("/dashboard");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).not.toContain("arrive with the proxy module");
    expect(html).toContain("dead.i20.test");
    expect(html).toContain(`upstream 127.0.0.1:${deadPort} does not answer`);
    expect(html).toContain(crashedName);
    expect(html).toContain("crashed (exit code 3)");
    expect(html).toContain("CPU over 90 %");
    expect(html).not.toMatch(/\d{1,2}\/\d{1,2}\/\d{4}, \d{1,2}:\d{2}/); // no locale-formatted times
  });

  test("refuses raw UUIDs in activity: the person and the proxy host are named, the ids kept for hover", async () => {
    const html = await (await admin.request("/dashboard")).text();
    const activity = html.slice(html.indexOf('data-testid="recent-activity"'));
    expect(activity).toContain(ADMIN.name);
    expect(activity).toContain(`data-id="${proxyId}"`);
    expect(activity).toMatch(/title="proxy_host [0-9a-f-]{36}"[^>]*>dead\.i20\.test</);
  });

  test("the audit API names actors and targets", async () => {
    const body = (await (await admin.request("/api/v1/audit?action=proxy")).json()) as { items: { actorName: string | null; targetName: string | null; targetId: string }[] };
    const row = body.items.find((i) => i.targetId === proxyId);
    expect(row).toMatchObject({ actorName: ADMIN.name, targetName: "dead.i20.test" });
  });
});
