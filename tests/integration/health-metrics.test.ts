// GET /api/v1/health and /metrics against real servers: one on the test Docker engine with a
// metrics token, one pointed at a Docker socket that does not exist and without a token.
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { Client, setUpServer, startServer, type TestServer } from "../setup/server";

const TOKEN = "metrics-token-0123456789abcdef";
let good: TestServer;
let bad: TestServer;
let goodClient: Client;
let badClient: Client;

interface Area {
  score: number;
  status: string;
  reasons: string[];
  details: Record<string, unknown>;
}
type Health = { score: number; status: string; areas: Record<"certificates" | "database" | "system" | "docker" | "nginx", Area> };

beforeAll(async () => {
  const missingSocket = `unix://${join(mkdtempSync(join(tmpdir(), "no-docker-")), "docker.sock")}`;
  [good, bad] = await Promise.all([
    startServer({ env: { DOCKER_HOST: inject("dockerHost"), METRICS_TOKEN: TOKEN, NGINX_MODE: "off" } }),
    startServer({ env: { DOCKER_HOST: missingSocket, NGINX_MODE: "off" } }),
  ]);
  [goodClient, badClient] = await Promise.all([setUpServer(good), setUpServer(bad)]);
});

afterAll(async () => {
  await Promise.all([good?.stop(), bad?.stop()]);
});

describe("health", () => {
  test("needs a login", async () => {
    expect((await new Client(good.url).request("/api/v1/health")).status).toBe(401);
  });

  test("reports real values for every area", async () => {
    const res = await goodClient.request("/api/v1/health");
    expect(res.status).toBe(200);
    const health = (await res.json()) as Health;
    expect(Object.keys(health.areas).sort()).toEqual(["alerts", "certificates", "containers", "database", "docker", "monitors", "nginx", "proxies", "system"]);
    expect(health.areas.docker).toMatchObject({ status: "ok", score: 100 });
    expect(health.areas.docker.reasons[0]).toMatch(/^Docker \S+ at unix:\/\//);
    expect(health.areas.database.status).toBe("ok");
    expect(health.areas.database.details.latencyMs).toEqual(expect.any(Number));
    expect(health.areas.database.details.connections).toBeGreaterThan(0);
    expect(health.areas.database.details.sizeBytes).toBeGreaterThan(1_000_000);
    expect(health.areas.system.details).toMatchObject({ dataDir: good.dataDir, cpus: expect.any(Number), diskFreeBytes: expect.any(Number) });
    expect(health.areas.certificates.reasons).toEqual(["No certificates yet."]);
    expect(health.areas.nginx.reasons[0]).toMatch(/NGINX_MODE=off/);
  });

  test("a stopped Docker engine turns its score red with the reason", async () => {
    const health = (await (await badClient.request("/api/v1/health")).json()) as Health;
    expect(health.areas.docker).toMatchObject({ score: 0, status: "fail" });
    expect(health.areas.docker.reasons[0]).toMatch(/Docker engine not reachable at unix:\/\/.*no-docker-.*docker\.sock/);
    expect(health.status).toBe("fail");
    expect(health.score).toBeLessThanOrEqual(49);
  });

  test("certificates are scored from days to expiry", async () => {
    const db = new pg.Client({ connectionString: good.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM "Organization" LIMIT 1`);
      await db.query(
        `INSERT INTO "Certificate" (id, "orgId", domains, mode, status, "notAfter", "updatedAt") VALUES (gen_random_uuid(), $1, '{soon.example.com}', 'custom', 'issued', now() + interval '5 days', now())`,
        [rows[0]!.id],
      );
    } finally {
      await db.end();
    }
    const health = (await (await goodClient.request("/api/v1/health")).json()) as Health;
    expect(health.areas.certificates).toMatchObject({ score: 20, status: "fail", reasons: ["soon.example.com: expires in 4 days"] });
  });
});

describe("/metrics", () => {
  test("is off (404) without METRICS_TOKEN", async () => {
    expect((await fetch(`${bad.url}/metrics`)).status).toBe(404);
  });

  test("wants the bearer token", async () => {
    expect((await fetch(`${good.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${good.url}/metrics`, { headers: { Authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(401);
  });

  test("reports containers, alerts, certificates and request latencies", async () => {
    await goodClient.request("/api/v1/health");
    const res = await fetch(`${good.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^infrapilot_docker_up 1$/m);
    expect(text).toMatch(/^infrapilot_containers\{state="running"\} \d+$/m);
    expect(text).toMatch(/^# TYPE infrapilot_alerts_firing gauge$/m);
    expect(text).toMatch(/^infrapilot_certificate_expiry_days\{certificate_id="[0-9a-f-]+"\} (4\.9\d*|5)$/m);
    expect(text).toMatch(/^infrapilot_proxy_apply_failures 0$/m);
    expect(text).toMatch(/^infrapilot_http_request_duration_seconds_count\{method="GET",code="2xx"\} \d+$/m);
  });
});
