// Uptime monitors through the REST API of the real server, against real targets on loopback
// that this file starts (an HTTP server with controllable status/latency/body, a TCP listener,
// a busybox container on the test engine) and a real webhook receiver: checks, scheduling,
// incidents with notifications, push URLs, the SSRF policy, permissions, audit and tenancy.
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { docker, removeTestContainers } from "../setup/docker";
import { localAgentId, runContainer, userClient } from "../setup/containers";
import { Client, secondOrganizationClient, setUpServer, startServer, type TestServer } from "../setup/server";
import { startReceivers, type Receivers } from "./alert-receivers";

const RUN = `monitors-${randomUUID().slice(0, 8)}`;
const dockerHost = inject("dockerHost");
// Long enough that the scheduler does not interleave with "Check now" in the tests that drive
// state step by step (its first grid point is somewhere in the next day).
const DAY = 86_400;

let server: TestServer;
let admin: Client;
let viewer: Client;
let rx: Receivers;
let db: pg.Client;
let target: Server;
let targetPort: number;
let tcp: TcpServer | null;
let tcpPort: number;
let hookId: string;
const answer = { status: 200, body: "all systems go", delayMs: 0 };

beforeAll(async () => {
  target = createServer((req, res) => {
    setTimeout(() => {
      res.writeHead(answer.status, { "Content-Type": "text/plain" });
      res.end(answer.body);
    }, answer.delayMs);
  });
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", () => resolve()));
  targetPort = (target.address() as AddressInfo).port;
  tcp = createTcpServer((socket) => socket.end());
  await new Promise<void>((resolve) => tcp!.listen(0, "127.0.0.1", () => resolve()));
  tcpPort = (tcp.address() as AddressInfo).port;
  rx = await startReceivers();
  server = await startServer({
    env: { DOCKER_HOST: dockerHost, ALERTS_ALLOWED_HOSTS: `127.0.0.1:${targetPort},127.0.0.1:${tcpPort},127.0.0.1:${rx.httpPort}` },
  });
  admin = await setUpServer(server);
  viewer = await userClient(server, admin, "viewer", "viewer@example.com");
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  const hook = await admin.post("/api/v1/alerts/channels", { name: "hook", type: "webhook", config: { url: `http://127.0.0.1:${rx.httpPort}/monitors` } });
  hookId = ((await hook.json()) as { id: string }).id;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await db?.end();
  await rx?.close();
  target?.closeAllConnections();
  await new Promise<void>((resolve) => (target ? target.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (tcp ? tcp.close(() => resolve()) : resolve()));
  await removeTestContainers(dockerHost, RUN);
});

interface Monitor {
  id: string;
  status: string;
  lastCheckAt: string | null;
  latencyMs: number | null;
  message: string | null;
  uptime: { h24: number | null; d7: number | null; d30: number | null; d90: number | null };
  pushUrl?: string;
}

const url = (path = "/") => `http://127.0.0.1:${targetPort}${path}`;

async function create(body: Record<string, unknown>, client = admin): Promise<Monitor> {
  const res = await client.post("/api/v1/monitors", { intervalSeconds: DAY, ...body });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Monitor;
}

async function checkNow(id: string): Promise<Monitor> {
  const res = await admin.post(`/api/v1/monitors/${id}/check`, {});
  expect(res.status).toBe(200);
  return (await res.json()) as Monitor;
}

async function incidents(id: string): Promise<{ kind: string; cause: string | null; message: string }[]> {
  const res = await admin.request(`/api/v1/monitors/${id}/incidents`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { kind: string; cause: string | null; message: string }[] }).items;
}

let orgB: Promise<Client> | undefined;
/** One second organization for the whole file (its user can be made once). */
function orgBClient(): Promise<Client> {
  orgB ??= secondOrganizationClient(server);
  return orgB;
}

async function fieldsOf(res: Response): Promise<Record<string, string>> {
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: { code: string; fields?: Record<string, string> } };
  expect(body.error.code).toBe("validation_failed");
  return body.error.fields ?? {};
}

describe("validation and the address policy", () => {
  test("refuses an interval under 20 s, an ftp URL and a port above 65535 with 400 field errors", async () => {
    expect(await fieldsOf(await admin.post("/api/v1/monitors", { name: "fast", type: "http", intervalSeconds: 10, config: { url: url() } }))).toHaveProperty("intervalSeconds");
    expect(await fieldsOf(await admin.post("/api/v1/monitors", { name: "ftp", type: "http", config: { url: "ftp://example.com/" } }))).toHaveProperty(["config.url"]);
    expect(await fieldsOf(await admin.post("/api/v1/monitors", { name: "port", type: "tcp", config: { host: "127.0.0.1", port: 70000 } }))).toHaveProperty(["config.port"]);
  });

  test("refuses a monitor of the metadata address 169.254.169.254 with 400", async () => {
    const fields = await fieldsOf(await admin.post("/api/v1/monitors", { name: "metadata", type: "http", config: { url: "http://169.254.169.254/latest/meta-data/" } }));
    expect(fields["config.url"]).toMatch(/refused/);
  });

  test("refuses loopback targets that ALERTS_ALLOWED_HOSTS does not allow (another port, localhost by name)", async () => {
    expect((await fieldsOf(await admin.post("/api/v1/monitors", { name: "pg", type: "tcp", config: { host: "127.0.0.1", port: 5432 } })))["config.host"]).toMatch(/loopback/);
    expect((await fieldsOf(await admin.post("/api/v1/monitors", { name: "by name", type: "http", config: { url: `http://localhost:${targetPort}/` } })))["config.url"]).toMatch(/loopback/);
  });

  test("a ping monitor on a host where ICMP is not available checks over TCP and says so", async () => {
    const m = await create({ name: "ping tcp", type: "ping", config: { host: "127.0.0.1", port: tcpPort } });
    const checked = await checkNow(m.id);
    expect(checked.status).toBe("up");
    expect(checked.message).toMatch(/ICMP echo reply|TCP connect to port \d+ \((no ping binary installed|ICMP not permitted here)/);
  });

  test("refuses a DNS monitor whose server the address policy does not allow with 400 on config.server", async () => {
    expect((await fieldsOf(await admin.post("/api/v1/monitors", { name: "dns", type: "dns", config: { name: "example.com", server: "127.0.0.1:5353" } })))["config.server"]).toMatch(/loopback/);
  });

  test("refuses at check time a stored target that the policy no longer allows", async () => {
    const m = await create({ name: "planted", type: "http", config: { url: url() } });
    await db.query(`UPDATE "Monitor" SET config = jsonb_set(config, '{url}', '"http://169.254.169.254/"') WHERE id = $1`, [m.id]);
    const after = await checkNow(m.id);
    expect(after.status).toBe("down");
    expect(after.message).toMatch(/refused/);
    expect((await incidents(m.id))[0]).toMatchObject({ kind: "down", cause: "refused" });
  });
});

describe("checks", () => {
  test("the scheduler checks a new monitor within its interval, without being asked", async () => {
    answer.status = 200;
    const m = await create({ name: "scheduled", type: "http", intervalSeconds: 20, config: { url: url("/scheduled") } });
    const deadline = Date.now() + 40_000;
    let seen: Monitor = m;
    while (Date.now() < deadline && !seen.lastCheckAt) {
      await new Promise((r) => setTimeout(r, 500));
      seen = (await (await admin.request(`/api/v1/monitors/${m.id}`)).json()) as Monitor;
    }
    expect(seen.lastCheckAt).not.toBeNull();
    expect(seen.status).toBe("up");
    await admin.request(`/api/v1/monitors/${m.id}`, { method: "DELETE" });
  }, 60_000);

  test("an HTTP monitor that goes down then up records two incidents and notifies the webhook both times", async () => {
    answer.status = 200;
    answer.body = "all systems go";
    const m = await create({ name: "shop", type: "http", channelIds: [hookId], config: { url: url("/shop"), expectedStatus: [200] } });
    expect(m.status).toBe("pending");
    expect((await checkNow(m.id)).status).toBe("up");

    answer.status = 500;
    const down = await checkNow(m.id);
    expect(down.status).toBe("down");
    expect(down.message).toMatch(/HTTP 500/);
    const downHook = await rx.waitFor(() => rx.requests.filter((r) => r.path === "/monitors"), (items) => items.some((r) => r.body.includes("Down: shop")));
    expect(downHook.find((r) => r.body.includes("Down: shop"))!.body).toContain(url("/shop"));

    answer.status = 200;
    const up = await checkNow(m.id);
    expect(up.status).toBe("up");
    await rx.waitFor(() => rx.requests.filter((r) => r.path === "/monitors"), (items) => items.some((r) => r.body.includes("Up: shop")));

    const list = await incidents(m.id);
    expect(list.map((i) => i.kind)).toEqual(["up", "down"]);
    expect(list[1]!.cause).toBe("status");
    // Delivery results are kept on the incident.
    const stored = await db.query<{ deliveries: { ok: boolean }[] }>(`SELECT deliveries FROM "MonitorIncident" WHERE "monitorId" = $1`, [m.id]);
    for (const row of stored.rows) expect(row.deliveries[0]?.ok).toBe(true);

    const results = (await (await admin.request(`/api/v1/monitors/${m.id}/results`)).json()) as { items: { ok: boolean; latencyMs: number | null; time: string }[] };
    expect(results.items.map((r) => r.ok)).toEqual([true, false, true]);
    const read = (await (await admin.request(`/api/v1/monitors/${m.id}`)).json()) as Monitor;
    expect(read.uptime.h24).toBeCloseTo(66.667, 2);
    expect(read.latencyMs).not.toBeNull();
  });

  test("a keyword that must be absent turns the monitor down with cause keyword", async () => {
    answer.status = 200;
    answer.body = "fatal error on page";
    const m = await create({ name: "keyword", type: "http", config: { url: url("/kw"), keyword: "fatal error", keywordAbsent: true } });
    const after = await checkNow(m.id);
    answer.body = "all systems go";
    expect(after.status).toBe("down");
    expect((await incidents(m.id))[0]).toMatchObject({ kind: "down", cause: "keyword" });
  });

  test("a slow answer past timeoutMs is down with cause timeout", async () => {
    answer.status = 200;
    answer.delayMs = 1500;
    try {
      const m = await create({ name: "slow", type: "http", config: { url: url("/slow"), timeoutMs: 500 } });
      expect((await checkNow(m.id)).status).toBe("down");
      expect((await incidents(m.id))[0]).toMatchObject({ kind: "down", cause: "timeout" });
    } finally {
      answer.delayMs = 0;
    }
  });

  test("retries: a failure within the retries keeps the monitor up; one more turns it down", async () => {
    answer.status = 200;
    const m = await create({ name: "retry", type: "http", retries: 1, config: { url: url("/retry") } });
    expect((await checkNow(m.id)).status).toBe("up");
    answer.status = 503;
    try {
      expect((await checkNow(m.id)).status).toBe("up");
      expect(await incidents(m.id)).toEqual([]);
      expect((await checkNow(m.id)).status).toBe("down");
    } finally {
      answer.status = 200;
    }
  });

  test("a TCP monitor is up while the listener accepts and down once it is closed", async () => {
    const m = await create({ name: "tcp", type: "tcp", config: { host: "127.0.0.1", port: tcpPort } });
    expect((await checkNow(m.id)).status).toBe("up");
    await new Promise<void>((resolve) => tcp!.close(() => resolve()));
    tcp = null;
    const after = await checkNow(m.id);
    expect(after.status).toBe("down");
    expect(after.message).toMatch(/ECONNREFUSED/);
  });

  test("a push monitor is down after a missed beat and up once its push URL is called; an unknown token is 404", async () => {
    const m = await create({ name: "cron", type: "push", intervalSeconds: 60 });
    expect(m.pushUrl).toMatch(new RegExp(`^${server.url}/api/push/[A-Za-z0-9_-]{16,}$`));
    // As if the monitor had existed for an hour without a beat.
    await db.query(`UPDATE "Monitor" SET "createdAt" = now() - interval '1 hour' WHERE id = $1`, [m.id]);
    const missed = await checkNow(m.id);
    expect(missed.status).toBe("down");
    expect(missed.message).toMatch(/missed beat/);
    const beat = await fetch(m.pushUrl!);
    expect(beat.status).toBe(200);
    expect((await checkNow(m.id)).status).toBe("up");
    expect((await fetch(`${server.url}/api/push/${"x".repeat(32)}`)).status).toBe(404);
  });

  test("a container monitor is up while the container runs and down once it is stopped", async () => {
    const name = `${RUN}-web`;
    await runContainer(dockerHost, RUN, name);
    const agentId = await localAgentId(admin);
    // "Monitor this container" on the container's page opens the monitor form pre-filled with it.
    const containerId = ((await (await admin.request(`/api/v1/agents/${agentId}/containers/${name}`)).json()) as { id: string }).id;
    const detail = await (await admin.request(`/containers/${agentId}/${containerId}`)).text();
    const href = /href="(\/monitors\?new=container[^"]*)"/.exec(detail)?.[1]?.replace(/&amp;/g, "&");
    expect(href).toBe(`/monitors?new=container&name=${name}&container=${name}&agent=${agentId}#monitor-form`);
    const form = await (await admin.request(href!.split("#")[0]!)).text();
    expect(form).toContain(`value="${name}"`);
    expect(form).toMatch(new RegExp(`name="config.agentId" value="${agentId}"`));
    const m = await create({ name: "container", type: "container", config: { agentId, containerName: name } });
    expect((await checkNow(m.id)).status).toBe("up");
    await docker(dockerHost, ["stop", "-t", "1", name]);
    const after = await checkNow(m.id);
    expect(after.status).toBe("down");
    expect(after.message).toMatch(/exited/);
  }, 60_000);
});

describe("permissions, audit and tenancy", () => {
  test("refuses a viewer's create, update, delete and check with 403; the viewer may read", async () => {
    const m = await create({ name: "viewer can see", type: "http", config: { url: url() } });
    expect((await viewer.post("/api/v1/monitors", { name: "v", type: "http", config: { url: url() } })).status).toBe(403);
    expect((await viewer.request(`/api/v1/monitors/${m.id}`, { method: "PATCH", json: { name: "x" } })).status).toBe(403);
    expect((await viewer.request(`/api/v1/monitors/${m.id}`, { method: "DELETE" })).status).toBe(403);
    expect((await viewer.post(`/api/v1/monitors/${m.id}/check`, {})).status).toBe(403);
    expect((await viewer.request(`/api/v1/monitors/${m.id}`)).status).toBe(200);
  });

  test("audits create, update and delete", async () => {
    const m = await create({ name: "audited", type: "http", config: { url: url() } });
    const patched = await admin.request(`/api/v1/monitors/${m.id}`, { method: "PATCH", json: { name: "audited 2", config: { expectedStatus: [200, 204] } } });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { config: { expectedStatus: number[]; url: string } }).config).toMatchObject({ expectedStatus: [200, 204], url: url() });
    expect((await admin.request(`/api/v1/monitors/${m.id}`, { method: "DELETE" })).status).toBe(204);
    const rows = await db.query<{ action: string }>(`SELECT action FROM "AuditLog" WHERE "targetId" = $1 ORDER BY id`, [m.id]);
    expect(rows.rows.map((r) => r.action)).toEqual(["monitor.create", "monitor.update", "monitor.delete"]);
  });

  test("refuses org B every one of org A's monitors with 404 and lists none of them", async () => {
    const m = await create({ name: "org A only", type: "http", config: { url: url() } });
    const orgB = await orgBClient();
    const list = (await (await orgB.request("/api/v1/monitors")).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
    for (const path of [`/api/v1/monitors/${m.id}`, `/api/v1/monitors/${m.id}/results`, `/api/v1/monitors/${m.id}/incidents`]) {
      expect((await orgB.request(path)).status, path).toBe(404);
    }
    expect((await orgB.request(`/api/v1/monitors/${m.id}`, { method: "PATCH", json: { name: "stolen" } })).status).toBe(404);
    expect((await orgB.post(`/api/v1/monitors/${m.id}/check`, {})).status).toBe(404);
    expect((await orgB.request(`/api/v1/monitors/${m.id}`, { method: "DELETE" })).status).toBe(404);
    expect((await admin.request(`/api/v1/monitors/${m.id}`)).status).toBe(200);
  });
});

describe("status pages", () => {
  test("serve the chosen monitors' name, status and uptime to anyone, and nothing else", async () => {
    answer.status = 200;
    const shown = await create({ name: "Public shop", type: "http", config: { url: url("/public") } });
    await checkNow(shown.id);
    const hidden = await create({ name: "Internal admin panel", type: "http", config: { url: url("/secret-admin") } });
    const created = await admin.post("/api/v1/status-pages", { slug: "acme-status", title: "Acme status", description: "Our services", monitorIds: [shown.id] });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ slug: "acme-status", monitorIds: [shown.id] });

    const anonymous = new Client(server.url);
    const res = await anonymous.request("/api/v1/status/acme-status");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toMatch(/public/);
    const body = await res.json();
    const shownMonitor = { name: "Public shop", status: "up", uptime: { h24: 100, d7: 100, d30: 100, d90: 100 } };
    // Exactly this: the page's own fields (decision 063) and the monitor's name, status and uptime.
    expect(body).toEqual({ title: "Acme status", description: "Our services", logoUrl: null, monitors: [shownMonitor], groups: [{ name: "", monitors: [shownMonitor] }], posts: [], overall: "up" });

    const html = await (await anonymous.request("/status/acme-status")).text();
    expect(html).toContain("Acme status");
    expect(html).toContain("Public shop");
    expect(html).not.toContain(hidden.id);
    expect(html).not.toContain("Internal admin panel");
    expect(html).not.toContain("/public");
    expect((await anonymous.request("/api/v1/status/no-such-page")).status).toBe(404);
    expect((await anonymous.request("/status/no-such-page")).status).toBe(404);
  });

  test("refuses a bad slug with 400 and a taken one with 409, also across organizations", async () => {
    expect(await fieldsOf(await admin.post("/api/v1/status-pages", { slug: "-Bad slug-", title: "x" }))).toHaveProperty("slug");
    await admin.post("/api/v1/status-pages", { slug: "taken", title: "First" });
    expect((await admin.post("/api/v1/status-pages", { slug: "taken", title: "Second" })).status).toBe(409);
    const orgB = await orgBClient();
    expect((await orgB.post("/api/v1/status-pages", { slug: "taken", title: "B's" })).status).toBe(409);
  });

  test("refuses org B org A's status page (404) and a page listing org A's monitor (400)", async () => {
    const m = await create({ name: "A's monitor", type: "http", config: { url: url() } });
    const page = (await (await admin.post("/api/v1/status-pages", { slug: "org-a-page", title: "A" })).json()) as { id: string };
    const orgB = await orgBClient();
    expect((await orgB.request(`/api/v1/status-pages/${page.id}`)).status).toBe(404);
    expect((await orgB.request(`/api/v1/status-pages/${page.id}`, { method: "PATCH", json: { title: "stolen" } })).status).toBe(404);
    expect((await orgB.request(`/api/v1/status-pages/${page.id}`, { method: "DELETE" })).status).toBe(404);
    expect(((await (await orgB.request("/api/v1/status-pages")).json()) as { items: unknown[] }).items).toEqual([]);
    expect((await orgB.post("/api/v1/status-pages", { slug: "b-page", title: "B", monitorIds: [m.id] })).status).toBe(400);
  });
});
