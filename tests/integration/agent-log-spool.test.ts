// Logs from nodes, nothing lost (issue 13 §4, docs/decisions/135-agent-log-spool.md): the real
// standalone agent (tsx agent/main.ts) follows a container of the private test dockerd and ships
// its lines to a real server (EDITION=saas) through its on-disk spool. The control plane is killed
// and started again, and the agent is killed and started again, while the container writes
// numbered lines: every line is stored exactly once. With a tiny spool and the control plane away,
// the oldest lines are dropped and a marker line says exactly how many.
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { docker, removeTestContainers } from "../setup/docker";
import { runContainer } from "../setup/containers";
import { stopNginxOf, viaNginx } from "../setup/nginx";
import { freePort } from "../setup/postgres";
import { saasOwnerClient, startAgent, type AgentProcess } from "../setup/saas";
import { startServer, type Client, type TestServer } from "../setup/server";

const RUN_ID = `spool-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
const SERVER_ENV = { EDITION: "saas", DOCKER_HOST: "unix:///nonexistent/docker.sock" };
let server: TestServer;
let owner: Client;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  server = await startServer({ env: SERVER_ENV });
  ({ client: owner } = await saasOwnerClient(server));
});

afterAll(async () => {
  for (const a of agents) await a.stop("SIGKILL");
  await server?.stop("SIGKILL");
  await removeTestContainers(dockerHost, RUN_ID);
});

/** The same control plane again: same port, database and data directory. */
async function restartServer(signal: NodeJS.Signals): Promise<void> {
  await server.stop(signal);
  server = await startServer({ env: SERVER_ENV, port: server.port, database: server.databaseUrl, dataDir: server.dataDir });
}

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  try {
    return (await db.query<T>(text, values)).rows;
  } finally {
    await db.end();
  }
}

async function newAgent(name: string, env: Record<string, string> = {}, dataDir?: string): Promise<AgentProcess> {
  let token: string | undefined;
  if (!dataDir) {
    const res = await owner.post("/api/v1/agents/enrollment-tokens", { name, maxUses: 1, expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(res.status).toBe(201);
    token = ((await res.json()) as { secret: string }).secret;
  }
  const agent = startAgent({ serverUrl: server.url, token, dockerHost, name, dataDir, env });
  agents.push(agent);
  return agent;
}

/** Stored lines of a container: message → how many times. */
async function storedCounts(containerId: string): Promise<Map<string, number>> {
  const rows = await sql<{ message: string; n: number }>(`SELECT message, count(*)::int AS n FROM "LogLine" WHERE "containerId" = $1 GROUP BY message`, [containerId]);
  return new Map(rows.map((r) => [r.message, r.n]));
}

async function storedTotal(containerId: string): Promise<number> {
  return (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "LogLine" WHERE "containerId" = $1`, [containerId]))[0]!.n;
}

describe("logs from a remote agent", () => {
  test("killing the control plane and the agent while a container writes numbered lines stores every line exactly once", { timeout: 240_000 }, async () => {
    let agent = await newAgent("spool-node");
    await agent.waitForLog(/connected to the control plane/, 60_000);
    // Numbered lines until /tmp/stop exists, then one last line saying how many.
    const id = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-writer`, ["sh", "-c", 'i=0; while [ ! -f /tmp/stop ]; do i=$((i+1)); echo "numbered line $i"; usleep 4000; done; echo "total $i"; exec sleep 3600'], ["--stop-timeout", "1"]);
    await expect.poll(() => storedTotal(id), { timeout: 60_000, interval: 250 }).toBeGreaterThan(50);

    // The control plane dies without a word (a crash), and comes back.
    await restartServer("SIGKILL");
    await agent.waitForLog(/connected to the control plane[\s\S]*connected to the control plane/, 60_000);
    const afterServer = await storedTotal(id);
    await expect.poll(() => storedTotal(id), { timeout: 60_000, interval: 250 }).toBeGreaterThan(afterServer);

    // The agent dies too (lines written meanwhile wait in the container's log), then a graceful restart.
    await agent.stop("SIGKILL");
    const dataDir = agent.dataDir;
    agent = await newAgent("spool-node", {}, dataDir);
    await agent.waitForLog(/connected to the control plane/, 60_000);
    const afterAgent = await storedTotal(id);
    await expect.poll(() => storedTotal(id), { timeout: 60_000, interval: 250 }).toBeGreaterThan(afterAgent);
    await restartServer("SIGTERM");

    await docker(dockerHost, ["exec", id, "sh", "-c", ": > /tmp/stop"]);
    const total = await expect
      .poll(async () => Number(/total (\d+)/.exec(await docker(dockerHost, ["logs", id]))?.[1] ?? 0), { timeout: 30_000 })
      .toBeGreaterThan(0)
      .then(async () => Number(/total (\d+)/.exec(await docker(dockerHost, ["logs", id]))![1]));
    expect(total).toBeGreaterThan(100);
    await expect.poll(async () => (await storedCounts(id)).get(`total ${total}`) ?? 0, { timeout: 90_000, interval: 500 }).toBe(1);

    const counts = await storedCounts(id);
    const missing: number[] = [];
    const repeated: string[] = [];
    for (let i = 1; i <= total; i++) {
      const n = counts.get(`numbered line ${i}`) ?? 0;
      if (n === 0) missing.push(i);
      if (n > 1) repeated.push(`${i}×${n}`);
    }
    expect({ missing, repeated }).toEqual({ missing: [], repeated: [] });
    expect(await storedTotal(id)).toBe(total + 1);
    // Attributed to the agent that shipped them, in its organization; no spool marker (it never filled).
    const rows = await sql<{ agents: number; markers: number }>(`SELECT count(DISTINCT "agentId")::int AS agents, count(*) FILTER (WHERE message LIKE '[InfraPilot agent]%')::int AS markers FROM "LogLine" WHERE "containerId" = $1`, [id]);
    expect(rows[0]).toEqual({ agents: 1, markers: 0 });
    const seq = await sql<{ logSeq: string }>(`SELECT "logSeq"::text AS "logSeq" FROM "Agent" WHERE name = 'spool-node'`);
    expect(Number(seq[0]!.logSeq)).toBeGreaterThan(0);
    // It follows every container of the engine: it must not ship the next test's container too.
    expect(await agent.stop("SIGTERM")).toBe(0);
  });

  test("a full spool drops the oldest lines and a marker line counts exactly the lines dropped", { timeout: 240_000 }, async () => {
    // 64 KiB of spool: a few hundred lines.
    const agent = await newAgent("tiny-spool", { AGENT_LOG_SPOOL_MB: "0.0625" });
    await agent.waitForLog(/connected to the control plane/, 60_000);
    const stopped = server;
    await stopped.stop("SIGTERM");
    const lines = 3000;
    const id = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-burst`, ["sh", "-c", `for i in $(seq 1 ${lines}); do echo "burst line $i of the spool test"; done`]);
    await agent.waitForLog(/log spool full/, 60_000);
    await expect.poll(async () => (await docker(dockerHost, ["inspect", "-f", "{{.State.Running}}", id])).trim(), { timeout: 30_000 }).toBe("false");
    // The agent has read the whole burst into its spool before the control plane comes back.
    const spoolDir = join(agent.dataDir, "log-spool");
    const spooled = () => readdirSync(spoolDir).filter((n) => n.startsWith("seg-")).some((n) => readFileSync(join(spoolDir, n), "utf8").includes(`burst line ${lines} of`));
    await expect.poll(spooled, { timeout: 60_000, interval: 250 }).toBe(true);
    server = await startServer({ env: SERVER_ENV, port: stopped.port, database: stopped.databaseUrl, dataDir: stopped.dataDir });

    const markerOf = async () => (await sql<{ message: string; level: string; stream: string }>(`SELECT message, level, stream FROM "LogLine" WHERE "containerId" = $1 AND message LIKE '[InfraPilot agent]%'`, [id]));
    await expect.poll(async () => (await markerOf()).length, { timeout: 90_000, interval: 500 }).toBeGreaterThan(0);
    // Everything still spooled arrives: the newest line is stored.
    await expect.poll(async () => (await storedCounts(id)).get(`burst line ${lines} of the spool test`) ?? 0, { timeout: 90_000, interval: 500 }).toBe(1);
    const markers = await markerOf();
    const dropped = markers.reduce((n, m) => n + Number(/(\d+) log lines? (?:was|were) dropped/.exec(m.message)?.[1] ?? NaN), 0);
    expect(markers[0]).toMatchObject({ level: "warn", stream: "stderr" });
    expect(markers[0]!.message).toMatch(/AGENT_LOG_SPOOL_MB=0\.06/);
    const counts = await storedCounts(id);
    const stored = [...counts].filter(([m]) => m.startsWith("burst line")).reduce((n, [, c]) => n + c, 0);
    expect(dropped).toBeGreaterThan(0);
    // Oldest first; each line stored once, and stored + dropped = written: nothing else is lost.
    for (const [m, c] of counts) if (m.startsWith("burst line")) expect(c, m).toBe(1);
    expect(stored + dropped).toBe(lines);
    expect(counts.get("burst line 1 of the spool test")).toBeUndefined();
  });

  test("the node's nginx access and error lines of a proxy host are stored and listed where Community lists proxy logs", { timeout: 180_000 }, async () => {
    const upstream: HttpServer = createServer((req, res) => {
      res.statusCode = req.url?.includes("missing") ? 404 : 200;
      res.end("from the node's upstream");
    });
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
    const httpPort = await freePort();
    const node = await newAgent("edge-logs", { NGINX_MODE: "local", NGINX_BIN: "/usr/sbin/nginx", NGINX_LISTEN_ADDRESS: "127.0.0.1", NGINX_HTTP_PORT: String(httpPort), NGINX_HTTPS_PORT: String(await freePort()) });
    try {
      await node.waitForLog(/connected to the control plane/, 60_000);
      const nodeId = (JSON.parse(readFileSync(join(node.dataDir, "agent.json"), "utf8")) as { agentId: string }).agentId;
      const created = await owner.post(`/api/v1/agents/${nodeId}/proxies`, { kind: "proxy", domains: ["spool-logs.test"], upstream: { scheme: "http", host: "127.0.0.1", port: (upstream.address() as AddressInfo).port } });
      expect(created.status).toBe(201);
      const hostId = ((await created.json()) as { id: string }).id;
      expect((await viaNginx(httpPort, "spool-logs.test", `/${RUN_ID}/ok`)).status).toBe(200);
      expect((await viaNginx(httpPort, "spool-logs.test", `/${RUN_ID}/missing`)).status).toBe(404);
      // The upstream gone: a 502, and nginx's error line naming the host's server.
      await new Promise((r) => upstream.close(r));
      expect((await viaNginx(httpPort, "spool-logs.test", `/${RUN_ID}/down`)).status).toBe(502);
      type Item = { message: string; level: string; stream: string; source: Record<string, unknown> };
      const listed = async () => ((await (await owner.request(`/api/v1/logs?proxyHostId=${hostId}`)).json()) as { items: Item[] }).items.filter((l) => l.message.includes(RUN_ID));
      await expect.poll(async () => (await listed()).length, { timeout: 60_000, interval: 500 }).toBe(4);
      const lines = await listed();
      expect(lines.map((l) => [l.stream, l.level]).sort()).toEqual([
        ["access", "error"],
        ["access", "info"],
        ["access", "warn"],
        ["error", "error"],
      ]);
      expect(JSON.stringify(lines[0]!.source)).toContain(hostId);
      const stored = await sql<{ agentId: string; n: number }>(`SELECT "agentId", count(*)::int AS n FROM "LogLine" WHERE "proxyHostId" = $1 AND message LIKE $2 GROUP BY "agentId"`, [hostId, `%${RUN_ID}%`]);
      expect(stored).toEqual([{ agentId: nodeId, n: 4 }]);
    } finally {
      await node.stop();
      stopNginxOf(node.dataDir);
      if (upstream.listening) upstream.close();
    }
  });
});
