// Editions (docs/decisions/091): SaaS routes, pages and APIs do not exist in Community, and the
// SaaS control plane has no built-in agent — no organization reaches its Docker engine or nginx
// through any route or socket, even with a "local" agent row planted in its organization.
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connectUi, runContainer } from "../setup/containers";
import { ensureTestDocker, removeTestContainers } from "../setup/docker";
import { Client, setUpServer, startServer, type TestServer } from "../setup/server";

const SAAS_APIS: [string, string][] = [
  ["GET", "/api/v1/orgs"],
  ["POST", "/api/v1/orgs"],
  ["POST", "/api/v1/orgs/switch"],
  ["GET", "/api/v1/orgs/current"],
  ["PATCH", "/api/v1/orgs/current"],
  ["DELETE", "/api/v1/orgs/current"],
  ["GET", "/api/v1/orgs/current/members"],
  ["PATCH", `/api/v1/orgs/current/members/${randomUUID()}`],
  ["DELETE", `/api/v1/orgs/current/members/${randomUUID()}`],
  ["GET", "/api/v1/orgs/current/invitations"],
  ["POST", "/api/v1/orgs/current/invitations"],
  ["DELETE", `/api/v1/orgs/current/invitations/${randomUUID()}`],
  ["POST", "/api/v1/invitations/abc/accept"],
  ["POST", "/api/v1/auth/signup"],
];
const SAAS_PAGES = ["/signup", "/organizations", "/billing", "/settings/plan", "/organization-deleted"];

describe("Community", () => {
  let server: TestServer;
  let admin: Client;
  beforeAll(async () => {
    server = await startServer();
    admin = await setUpServer(server);
  });
  afterAll(async () => server?.stop());

  test("every SaaS API answers 404 in Community, logged in or not", async () => {
    for (const [method, path] of SAAS_APIS) {
      for (const client of [admin, new Client(server.url)]) {
        const res = await client.request(path, { method, json: method === "GET" ? undefined : { name: "x", orgId: randomUUID(), email: "x@example.com", role: "viewer", confirm: "x", password: "a long enough password", orgName: "X" } });
        expect(res.status, `${method} ${path}`).toBe(404);
      }
    }
  });

  test("SaaS pages are 404 and the navigation and login page do not offer them", async () => {
    for (const path of SAAS_PAGES) expect((await admin.request(path)).status, path).toBe(404);
    const dashboard = await (await admin.request("/dashboard")).text();
    expect(dashboard).not.toContain('href="/organizations"');
    expect(dashboard).not.toContain('href="/settings/plan"');
    expect(await (await admin.request("/settings")).text()).not.toContain('href="/settings/plan"');
    expect(dashboard).not.toContain("org-switcher");
    const login = await (await new Client(server.url).request("/login")).text();
    expect(login).not.toContain('href="/signup"');
  });
});

describe("SaaS has no built-in agent", () => {
  let server: TestServer;
  let dockerHost: string;
  let owner: Client;
  let db: pg.Client;
  const runId = `saas-editions-${randomUUID().slice(0, 8)}`;
  const containerName = `${runId}-secret-workload`;
  let containerId: string;
  let plantedAgentId: string;

  beforeAll(async () => {
    dockerHost = await ensureTestDocker();
    containerId = await runContainer(dockerHost, runId, containerName);
    // The control plane has a real engine and a real nginx binary configured: neither may be used.
    server = await startServer({ env: { EDITION: "saas", SIGNUP: "open", DOCKER_HOST: dockerHost, NGINX_BIN: "nginx", NGINX_MODE: "local", NGINX_HTTP_PORT: "18080", METRICS_TOKEN: "metrics-token-for-tests-0123456789" } });
    owner = new Client(server.url);
    const signup = await owner.post("/api/v1/auth/signup", { email: "owner@tenant.example", name: "Owner", password: "a long enough password", orgName: "Tenant" });
    expect(signup.status).toBe(201);
    const { org } = await signup.json();
    db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    // A "local" agent row in the tenant (left over, or written by someone) must not open the engine.
    plantedAgentId = randomUUID();
    await db.query(`INSERT INTO "Agent" (id, "orgId", name, kind) VALUES ($1, $2, 'local', 'local')`, [plantedAgentId, org.id]);
  });
  afterAll(async () => {
    await db?.end();
    await server?.stop();
    if (dockerHost) await removeTestContainers(dockerHost, runId);
  });

  test("the agent list is empty and no built-in agent row is created", async () => {
    const res = await owner.request("/api/v1/agents");
    expect(res.status).toBe(200);
    expect((await res.json()).items).toEqual([]);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM "Agent" WHERE id <> $1`, [plantedAgentId]);
    expect(rows[0].n).toBe(0);
  });

  test("container, log, proxy and health routes never reach the control plane's engine", async () => {
    const base = `/api/v1/agents/${plantedAgentId}`;
    const attempts: [string, string, unknown?][] = [
      ["GET", `${base}/containers`],
      ["GET", `${base}/containers/${containerId}`],
      ["GET", `${base}/containers/${containerName}`],
      ["POST", `${base}/containers/${containerId}/stop`],
      ["DELETE", `${base}/containers/${containerId}?force=true`],
      ["GET", `${base}/containers/${containerId}/logs?tail=10`],
      ["GET", `${base}/proxies`],
      ["POST", `${base}/proxies`, { kind: "proxy", domains: ["a.example.com"], upstream: { scheme: "http", host: "127.0.0.1", port: 8080 } }],
      ["POST", `${base}/proxies/apply`],
      ["GET", `${base}/proxies/status`],
      ["GET", `/api/v1/agents/${randomUUID()}/containers`],
    ];
    for (const [method, path, json] of attempts) {
      const res = await owner.request(path, { method, json: json ?? (method === "GET" || method === "DELETE" ? undefined : {}) });
      const text = await res.text();
      expect([404, 503], `${method} ${path}: ${res.status} ${text}`).toContain(res.status);
      expect(text).not.toContain(containerName);
      expect(text).not.toContain(containerId);
    }
    // Health scores the organization without an engine (it has no agent: the planted row is none).
    const health = await owner.request("/api/v1/health");
    const report = await health.text();
    expect(health.status).toBe(200);
    expect(JSON.parse(report).areas.docker).toMatchObject({ status: "fail", reasons: [expect.stringMatching(/no agent yet/i)] });
    expect(report).not.toContain(containerName);
    expect((await owner.request(`/api/v1/health?agentId=${plantedAgentId}`)).status).toBe(404);
    // The container is still running: nothing reached the engine.
    const { docker } = await import("../setup/docker");
    expect((await docker(dockerHost, ["inspect", "-f", "{{.State.Running}}", containerId])).trim()).toBe("true");
  });

  test("pages say the organization has no agent, and never list the engine's containers", async () => {
    for (const path of ["/containers", "/images", "/logs?range=live", "/proxies"]) {
      const res = await owner.request(path);
      const html = await res.text();
      expect(html, path).not.toContain(containerName);
      expect(res.status, path).toBe(200);
      expect(html, path).toContain("No agent yet");
      // The planted built-in row is no agent of the organization: choosing it is a 404.
      expect((await owner.request(`${path.split("?")[0]}?agent=${plantedAgentId}`)).status, path).toBe(404);
    }
    const health = await owner.request("/health");
    expect(health.status).toBe(200);
    expect(await health.text()).toMatch(/no agent yet/i);
    const dashboard = await owner.request("/dashboard");
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).not.toContain(containerName);
  });

  test("socket subscriptions and terminals on any agent id are refused", async () => {
    const ui = await connectUi(server, owner);
    try {
      for (const agentId of [plantedAgentId, randomUUID()]) {
        const subscribed = await ui.ack("containers:subscribe", { agentId });
        expect(subscribed.ok).toBe(false);
        const logs = await ui.ack("logs:subscribe", { agentId, containerId });
        expect(logs.ok).toBe(false);
        const stream = await ui.ack("logs:stream", { agentId, all: true });
        expect(stream.ok).toBe(false);
        const terminal = await ui.ack("terminal:open", { agentId, containerId });
        expect(terminal.ok).toBe(false);
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(JSON.stringify(ui.events)).not.toContain(containerName);
      expect(ui.events.map((e) => e.event)).not.toContain("containers:list");
    } finally {
      ui.close();
    }
  });

  test("the control plane's nginx is never started and /metrics has no engine", async () => {
    const nginxDir = join(server.dataDir, "nginx");
    const pidFiles = existsSync(nginxDir) ? readdirSync(nginxDir, { recursive: true }).map(String).filter((f) => f.endsWith(".pid")) : [];
    expect(pidFiles).toEqual([]);
    const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer metrics-token-for-tests-0123456789" } });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).not.toContain("infrapilot_docker_up");
    expect(text).not.toContain("infrapilot_containers{");
  });
});
