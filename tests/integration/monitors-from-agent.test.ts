// HTTP and DNS monitors checked from a chosen remote agent (decision 141), end to end: the real
// server in SaaS (no built-in agent, no engine of its own), the real standalone agent process
// (tsx agent/main.ts) enrolled with a token, and loopback targets this file starts — an HTTP server
// with a controllable status and JSON body, a TLS server whose certificate ends in two days, and
// pebble-challtestsrv as the DNS server. The control plane's own address policy refuses loopback
// for tenants; a remote agent checks from its own network, so these targets are reachable only
// because the agent runs the check, and the control plane records the result it answers.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { makeChain } from "../setup/cert-chain";
import { startDnsServer, type DnsServer } from "../setup/challtestsrv";
import { saasOwnerClient, startAgent, type AgentProcess } from "../setup/saas";
import { serverSql, startServer, type Client, type TestServer } from "../setup/server";

const dockerHost = inject("dockerHost");
let server: TestServer;
let owner: Client;
let agent: AgentProcess | undefined;
let agentId: string;
let target: Server;
let targetPort: number;
let tls: HttpsServer;
let tlsPort: number;
let dns: DnsServer | undefined;
let caDir: string;
const state = { status: 200, body: JSON.stringify({ status: "ok", items: [{ name: "db", healthy: true }] }), seen: [] as { method: string; path: string; header: string | undefined; body: string }[] };

beforeAll(async () => {
  target = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      state.seen.push({ method: req.method ?? "", path: req.url ?? "", header: req.headers["x-probe"] as string | undefined, body });
      if (req.url === "/moved") {
        res.writeHead(302, { location: "/health" });
        return res.end();
      }
      res.writeHead(state.status, { "content-type": "application/json" });
      res.end(state.body);
    });
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  targetPort = (target.address() as AddressInfo).port;
  // A certificate that ends in two days, from a throwaway CA only the agent process trusts.
  const chain = makeChain(["localhost"], 2);
  caDir = mkdtempSync(join(tmpdir(), "agent-check-ca-"));
  writeFileSync(join(caDir, "root.pem"), chain.root);
  tls = createHttpsServer({ key: chain.leafKey, cert: chain.leaf + chain.intermediate }, (_req, res) => res.end("secure"));
  await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
  tlsPort = (tls.address() as AddressInfo).port;
  dns = await startDnsServer("127.0.0.1");
  await dns.post("/add-a", { host: "api.internal.test.", addresses: ["10.1.2.3"] });
  await dns.post("/set-txt", { host: "_check.internal.test.", value: "agent-says-hello" });

  server = await startServer({ env: { EDITION: "saas", DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
  ({ client: owner } = await saasOwnerClient(server, "checks"));
  const tokenRes = await owner.post("/api/v1/agents/enrollment-tokens", { name: "checker", maxUses: 1, expiresAt: new Date(Date.now() + 3600_000).toISOString() });
  expect(tokenRes.status).toBe(201);
  const { secret } = (await tokenRes.json()) as { secret: string };
  agent = startAgent({ serverUrl: server.url, token: secret, dockerHost, name: "inside-the-network", env: { NODE_EXTRA_CA_CERTS: join(caDir, "root.pem") } });
  await agent.waitForLog(/connected to the control plane/, 60_000);
  agentId = JSON.parse(readFileSync(join(agent.dataDir, "agent.json"), "utf8")).agentId;
}, 120_000);

afterAll(async () => {
  await agent?.stop("SIGKILL");
  await server?.stop();
  await dns?.stop();
  target?.close();
  tls?.close();
  if (caDir) rmSync(caDir, { recursive: true, force: true });
});

type MonitorRead = { status: string; message: string | null; latencyMs: number | null; agentId: string | null };

async function create(body: Record<string, unknown>): Promise<string> {
  const res = await owner.post("/api/v1/monitors", { intervalSeconds: 3600, ...body });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function checkNow(id: string): Promise<MonitorRead> {
  const res = await owner.post(`/api/v1/monitors/${id}/check`, {});
  expect(res.status, await res.clone().text()).toBe(200);
  return (await (await owner.request(`/api/v1/monitors/${id}`)).json()) as MonitorRead;
}

async function lastResult(id: string): Promise<{ ok: boolean; message: string | null; latencyMs: number | null }> {
  const res = await owner.request(`/api/v1/monitors/${id}/results`);
  const body = (await res.json()) as { items: { ok: boolean; message: string | null; latencyMs: number | null }[] };
  return body.items.at(-1)!;
}

describe("HTTP checks from a remote agent", () => {
  test("the same loopback target is refused from the control plane but checked by the agent", async () => {
    const refused = await owner.post("/api/v1/monitors", { name: "from here", type: "http", config: { url: `http://127.0.0.1:${targetPort}/health` } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { fields: Record<string, string> } }).error.fields).toHaveProperty(["config.url"]);

    const id = await create({ name: "api health", type: "http", agentId, config: { url: `http://127.0.0.1:${targetPort}/health`, jsonPath: "$.status", jsonExpected: "ok" } });
    const m = await checkNow(id);
    expect(m).toMatchObject({ status: "up", agentId });
    expect(m.message).toBe("HTTP 200; $.status = ok (from agent inside-the-network)");
    expect(m.latencyMs).toBeGreaterThanOrEqual(0);
    expect(await lastResult(id)).toMatchObject({ ok: true });
  });

  test("method, headers, body, expected status, keyword and JSON path all reach the agent's check", async () => {
    state.seen.length = 0;
    const id = await create({
      name: "post probe",
      type: "http",
      agentId,
      config: { url: `http://127.0.0.1:${targetPort}/submit`, method: "POST", headers: { "X-Probe": "from-agent" }, body: "ping=1", expectedStatus: [202], keyword: "healthy", jsonPath: "$.items[0].healthy", jsonExpected: "true" },
    });
    state.status = 202;
    try {
      expect(await checkNow(id)).toMatchObject({ status: "up" });
      expect(state.seen.at(-1)).toEqual({ method: "POST", path: "/submit", header: "from-agent", body: "ping=1" });
      // A status not expected: down, cause status.
      state.status = 500;
      let m = await checkNow(id);
      expect(m.status).toBe("down");
      expect(m.message).toBe("HTTP 500, expected 202 (from agent inside-the-network)");
      // A JSON value that differs: down, with what was found.
      state.status = 202;
      state.body = JSON.stringify({ status: "ok", items: [{ name: "db", healthy: false }] });
      m = await checkNow(id);
      expect(m.status).toBe("down");
      expect(m.message).toBe("HTTP 202; $.items[0].healthy = false, expected true (from agent inside-the-network)");
      const incidents = (await (await owner.request(`/api/v1/monitors/${id}/incidents`)).json()) as { items: { kind?: string; type?: string; cause: string | null }[] };
      expect(incidents.items.map((i) => i.cause)).toContain("status");
    } finally {
      state.status = 200;
      state.body = JSON.stringify({ status: "ok", items: [{ name: "db", healthy: true }] });
    }
  });

  test("keyword absent, redirects followed or not, and a timeout", async () => {
    const absent = await create({ name: "no error word", type: "http", agentId, config: { url: `http://127.0.0.1:${targetPort}/`, keyword: "healthy", keywordAbsent: true } });
    const m = await checkNow(absent);
    expect(m.status).toBe("down");
    expect(m.message).toMatch(/^keyword "healthy" is present \(from agent/);

    const follows = await create({ name: "follows", type: "http", agentId, config: { url: `http://127.0.0.1:${targetPort}/moved` } });
    expect(await checkNow(follows)).toMatchObject({ status: "up", message: "HTTP 200 (from agent inside-the-network)" });
    const stays = await create({ name: "stays", type: "http", agentId, config: { url: `http://127.0.0.1:${targetPort}/moved`, followRedirects: false, expectedStatus: [302] } });
    expect(await checkNow(stays)).toMatchObject({ status: "up", message: "HTTP 302 (from agent inside-the-network)" });

    // A port that accepts and never answers: the agent's own timeout, cause timeout.
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const slow = await create({ name: "slow", type: "http", agentId, config: { url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, timeoutMs: 800 } });
      const s = await checkNow(slow);
      expect(s.status).toBe("down");
      expect(s.message).toMatch(/^no answer within 800 ms \(from agent/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  test("TLS: the agent reports the certificate's days left (its own trust store), and a TLS failure is cause tls", async () => {
    const id = await create({ name: "tls", type: "http", agentId, config: { url: `https://localhost:${tlsPort}/`, certExpiryDays: 14 } });
    const m = await checkNow(id);
    expect(m.status).toBe("up");
    expect(m.message).toMatch(/^HTTP 200; certificate expires in [12] days \(from agent inside-the-network\)$/);
    // 127.0.0.1 is not a name the certificate holds.
    const wrongName = await create({ name: "tls wrong name", type: "http", agentId, config: { url: `https://127.0.0.1:${tlsPort}/` } });
    const w = await checkNow(wrongName);
    expect(w.status).toBe("down");
    const incidents = (await (await owner.request(`/api/v1/monitors/${wrongName}/incidents`)).json()) as { items: { cause: string | null }[] };
    expect(incidents.items[0]!.cause).toBe("tls");
  });
});

describe("DNS checks from a remote agent", () => {
  test("the agent asks the named DNS server and the expected value decides", async () => {
    // From the control plane a loopback DNS server is refused for a tenant.
    const refused = await owner.post("/api/v1/monitors", { name: "dns here", type: "dns", config: { name: "api.internal.test", server: dns!.address } });
    expect(refused.status).toBe(400);

    const a = await create({ name: "api record", type: "dns", agentId, config: { name: "api.internal.test", recordType: "A", expected: "10.1.2.3", server: dns!.address } });
    expect(await checkNow(a)).toMatchObject({ status: "up", message: "A 10.1.2.3 (from agent inside-the-network)" });
    const txt = await create({ name: "txt record", type: "dns", agentId, config: { name: "_check.internal.test", recordType: "TXT", expected: "agent-says-hello", server: dns!.address } });
    expect(await checkNow(txt)).toMatchObject({ status: "up" });

    const wrong = await create({ name: "moved record", type: "dns", agentId, config: { name: "api.internal.test", recordType: "A", expected: "10.9.9.9", server: dns!.address } });
    const w = await checkNow(wrong);
    expect(w.status).toBe("down");
    expect(w.message).toBe("api.internal.test: A 10.1.2.3, expected 10.9.9.9 (from agent inside-the-network)");
    const incidents = (await (await owner.request(`/api/v1/monitors/${wrong}/incidents`)).json()) as { items: { cause: string | null }[] };
    expect(incidents.items[0]!.cause).toBe("dns");
  });
});

describe("DNS checks from the control plane in SaaS", () => {
  test("must name their server: the service's own resolvers are not open to a tenant, at save and at every check", async () => {
    const refused = await owner.post("/api/v1/monitors", { name: "our resolvers", type: "dns", config: { name: "example.com" } });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { error: { fields: Record<string, string> } };
    expect(body.error.fields["config.server"]).toMatch(/Name the DNS server to ask/);
    // From an agent the node's own resolvers are the customer's: allowed.
    await create({ name: "node resolvers", type: "dns", agentId, config: { name: "example.com" } });

    // One stored before this rule (or planted) is refused at its check, without asking anyone.
    const { rows } = await serverSql(
      server,
      `INSERT INTO "Monitor" (id, "orgId", name, type, config, "intervalSeconds", "channelIds", enabled, status, "updatedAt")
       SELECT gen_random_uuid(), "orgId", 'planted', 'dns', '{"name":"example.com","recordType":"A"}', 86400, '{}', true, 'pending', now()
       FROM "Agent" WHERE id = $1 RETURNING id`,
      [agentId],
    );
    const planted = await checkNow(rows[0]!.id as string);
    expect(planted.status).toBe("down");
    expect(planted.message).toMatch(/Name the DNS server to ask/);
  });
});

describe("the Monitors page", () => {
  test("offers the agent under \"Check from\" and its form saves an HTTP monitor that runs there", async () => {
    const html = await (await owner.request("/monitors")).text();
    expect(html).toContain("Check from");
    expect(html).toMatch(new RegExp(`<option value="${agentId}">inside-the-network \\(online\\)</option>`));
    const res = await owner.form("/monitors?index", { intent: "create", name: "form via agent", type: "http", "config.url": `http://127.0.0.1:${targetPort}/health`, "config.method": "GET", intervalSeconds: "3600", agentId, "config.followRedirects": "on", enabled: "on" });
    expect(res.status, await res.clone().text()).toBeLessThan(400);
    const list = (await (await owner.request("/api/v1/monitors")).json()) as { items: { id: string; name: string; agentId: string | null }[] };
    const made = list.items.find((m) => m.name === "form via agent")!;
    expect(made.agentId).toBe(agentId);
    expect(await checkNow(made.id)).toMatchObject({ status: "up", message: "HTTP 200 (from agent inside-the-network)" });
  });
});

describe("when the agent is gone", () => {
  test("a check of an offline agent is down with the reason, not an error", async () => {
    const id = await create({ name: "while offline", type: "http", agentId, config: { url: `http://127.0.0.1:${targetPort}/` } });
    await agent!.stop("SIGKILL");
    agent = undefined;
    await expect
      .poll(async () => (await checkNow(id)).message ?? "", { timeout: 60_000, interval: 500 })
      .toMatch(/the chosen agent is unavailable: The agent inside-the-network is offline/);
    expect(((await (await owner.request(`/api/v1/monitors/${id}`)).json()) as MonitorRead).status).not.toBe("up");
  });
});
