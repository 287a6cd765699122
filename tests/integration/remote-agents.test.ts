// Remote agents end to end: enrollment tokens and the enroll exchange through the real server
// (EDITION=saas), and the real standalone agent (tsx agent/main.ts) as its own process, dialling
// the server's /agent namespace on loopback and serving the private test dockerd. The control
// plane itself is given no Docker engine, so every container seen here came through the agent.
import { generateKeyPairSync, sign } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { authMessage } from "#agent/remote/protocol";
import { docker, removeTestContainers } from "../setup/docker";
import { connectUi, runContainer, terminalText } from "../setup/containers";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { viaNginx, stopNginxOf } from "../setup/nginx";
import { freePort } from "../setup/postgres";
import { saasOwnerClient, startAgent, type AgentProcess } from "../setup/saas";
import { startServer, type Client, type TestServer, serverSql } from "../setup/server";

const RUN_ID = `remote-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
let server: TestServer;
let owner: Client;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  // No engine for the control plane: tenants never reach it (ARCHITECTURE.md, "Remote agents").
  server = await startServer({ env: { EDITION: "saas", DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
  ({ client: owner } = await saasOwnerClient(server));
});

afterAll(async () => {
  for (const a of agents) await a.stop("SIGKILL");
  await server?.stop();
  await removeTestContainers(dockerHost, RUN_ID);
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type AgentItem = { id: string; name: string; kind: string; status: string; lastSeenAt: string | null; version: string | null; hostname: string | null; latencyMs: number | null; dockerVersion: string | null };

async function listAgents(): Promise<AgentItem[]> {
  const res = await owner.request("/api/v1/agents");
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: AgentItem[] }).items;
}

async function createToken(input: { name?: string; maxUses?: number; expiresAt?: string } = {}): Promise<{ id: string; secret: string; installCommand: string }> {
  const res = await owner.post("/api/v1/agents/enrollment-tokens", { name: input.name ?? "node", maxUses: input.maxUses ?? 1, expiresAt: input.expiresAt ?? new Date(Date.now() + 3600_000).toISOString() });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { token: { id: string }; secret: string; installCommand: string };
  return { id: body.token.id, secret: body.secret, installCommand: body.installCommand };
}

function testKey() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return { pem: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKey };
}

function enroll(token: string, publicKey: string, extra: Record<string, unknown> = {}) {
  return fetch(`${server.url}/api/v1/agents/enroll`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token, publicKey, hostname: "test-node", ...extra }) });
}

async function agentRowCount(): Promise<number> {
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  try {
    return (await db.query(`SELECT count(*)::int AS n FROM "Agent" WHERE kind = 'remote'`)).rows[0].n;
  } finally {
    await db.end();
  }
}

const sql = (text: string, values: unknown[] = []) => serverSql(server, text, values);

/** A raw /agent socket that answers the challenge with whatever `answer` builds. */
async function rawAuth(answer: (nonce: string) => { agentId: string; signature: string }): Promise<{ reply: { ok: boolean; code?: string }; socket: Socket; nonce: string }> {
  const socket = io(`${server.url}/agent`, { transports: ["websocket"], reconnection: false, forceNew: true });
  const nonce = await new Promise<string>((resolve, reject) => {
    socket.once("challenge", (f: { nonce: string }) => resolve(f.nonce));
    socket.once("connect_error", reject);
  });
  const facts = { dockerHost: "unix:///x", nginx: { mode: "off", listenAddress: "127.0.0.1", httpPort: 80, httpsPort: 443, resolver: "127.0.0.1", user: null } };
  const reply = (await socket.timeout(5000).emitWithAck("auth", { ...answer(nonce), hello: { version: "test", hostname: "test", facts } })) as { ok: boolean; code?: string };
  return { reply, socket, nonce };
}

describe("enrollment tokens", () => {
  test("a token is created with its secret and install command shown once, then listed without them", async () => {
    const created = await createToken({ name: "rack 1", maxUses: 3 });
    expect(created.secret).toMatch(/^ipe_/);
    expect(created.installCommand).toBe(`curl -fsSL ${server.url}/install.sh | sh -s -- --token=${created.secret}`);
    const list = (await (await owner.request("/api/v1/agents/enrollment-tokens")).json()) as { items: Record<string, unknown>[] };
    const item = list.items.find((t) => t.id === created.id)!;
    expect(item).toMatchObject({ name: "rack 1", maxUses: 3, uses: 0, usesLeft: 3 });
    expect(JSON.stringify(list)).not.toContain(created.secret);
  });

  test("bad input is a 400 naming the fields", async () => {
    const res = await owner.post("/api/v1/agents/enrollment-tokens", { name: "", maxUses: 0, expiresAt: "2000-01-01T00:00:00Z" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(body.error.code).toBe("validation_failed");
    expect(Object.keys(body.error.fields).sort()).toEqual(["expiresAt", "maxUses", "name"]);
  });

  test("unknown, expired, used-up and revoked tokens are refused with 401 and create nothing", async () => {
    const before = await agentRowCount();
    const key = testKey();
    expect((await enroll("ipe_this-token-does-not-exist-at-all", key.pem)).status).toBe(401);

    const expired = await createToken({ name: "expired" });
    await sql(`UPDATE "EnrollmentToken" SET "expiresAt" = now() - interval '1 minute' WHERE id = $1`, [expired.id]);
    expect((await enroll(expired.secret, key.pem)).status).toBe(401);

    const once = await createToken({ name: "once", maxUses: 1 });
    const first = await enroll(once.secret, testKey().pem, { name: "first-use" });
    expect(first.status).toBe(201);
    expect(await agentRowCount()).toBe(before + 1);
    const second = await enroll(once.secret, key.pem);
    expect(second.status).toBe(401);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe("invalid_enrollment_token");

    const revoked = await createToken({ name: "revoked" });
    expect((await owner.request(`/api/v1/agents/enrollment-tokens/${revoked.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await enroll(revoked.secret, key.pem)).status).toBe(401);

    expect(await agentRowCount()).toBe(before + 1);
  });

  test("a public key that is not Ed25519 SPKI PEM is a 400 on publicKey", async () => {
    const token = await createToken();
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }).toString();
    const res = await enroll(token.secret, rsa);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields).toHaveProperty("publicKey");
  });
});

describe("the standalone agent", () => {
  let agent: AgentProcess;
  let agentId: string;
  let token: { id: string; secret: string };

  beforeAll(async () => {
    token = await createToken({ name: "main node", maxUses: 2 });
    // The first URL has nothing listening: the agent moves on to the next one.
    const dead = `http://127.0.0.1:${await freePort()}`;
    agent = startAgent({ serverUrl: `${dead},${server.url}`, token: token.secret, dockerHost, name: `node-${RUN_ID.slice(-6)}` });
    agents.push(agent);
    await agent.waitForLog(/connected to the control plane/, 60_000);
    agentId = JSON.parse(readFileSync(join(agent.dataDir, "agent.json"), "utf8")).agentId;
  }, 90_000);

  test("it enrolls with a key kept on the node (mode 0600) and comes online with its version, host name and latency", async () => {
    expect(statSync(join(agent.dataDir, "agent-key.pem")).mode & 0o777).toBe(0o600);
    const item = await waitFor("latency from a heartbeat", async () => (await listAgents()).find((a) => a.id === agentId && a.latencyMs !== null), 25_000);
    expect(item).toMatchObject({ kind: "remote", status: "online", version: expect.stringMatching(/^\d+\.\d+\.\d+/), hostname: expect.any(String) });
    expect(item.lastSeenAt).not.toBeNull();
    expect(item.dockerVersion).toMatch(/^\d+\./);
    expect(agent.output()).toMatch(/enrollment: control plane not reachable; trying again/);
  });

  test("containers of the node are listed, inspected, stopped, started and their logs read through the agent", async () => {
    const id = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-web`, ["sh", "-c", "echo hello from the node; trap 'exit 0' TERM; while true; do sleep 1; done"]);
    const base = `/api/v1/agents/${agentId}/containers`;
    const list = await owner.request(`${base}?all=true`);
    expect(list.status).toBe(200);
    const items = ((await list.json()) as { items: { id: string; name: string; state: string }[] }).items;
    expect(items.find((c) => c.id === id)).toMatchObject({ name: `${RUN_ID}-web`, state: "running" });

    const detail = await owner.request(`${base}/${id}`);
    expect(detail.status).toBe(200);
    expect(((await detail.json()) as { id: string }).id).toBe(id);

    expect((await owner.post(`${base}/${id}/stop`, {})).status).toBe(200);
    expect((await docker(dockerHost, ["inspect", "-f", "{{.State.Status}}", id])).trim()).toBe("exited");
    expect((await owner.post(`${base}/${id}/start`, {})).status).toBe(200);
    expect((await docker(dockerHost, ["inspect", "-f", "{{.State.Status}}", id])).trim()).toBe("running");

    const logs = await owner.request(`${base}/${id}/logs?tail=50`);
    expect(logs.status).toBe(200);
    const lines = ((await logs.json()) as { items: { message: string }[] }).items;
    expect(lines.map((l) => l.message)).toContain("hello from the node");

    expect((await owner.request(`${base}/no-such-container`)).status).toBe(404);
  });

  test("the live container feed (list, Docker events, stats) of the Containers page runs through the agent's flows", async () => {
    const ui = await connectUi(server, owner);
    try {
      expect(await ui.ack("containers:subscribe", { agentId })).toMatchObject({ ok: true });
      await ui.waitFor<{ agentId: string }>("containers:list", (p) => p.agentId === agentId);
      const from = ui.events.length;
      // A container started on the node reaches the page through the events flow.
      const id = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-live`);
      await ui.waitFor<{ items: { id: string }[] }>("containers:list", (p) => p.items.some((c) => c.id === id), 15_000, from);
      const stats = await ui.waitFor<{ items: { id: string; memoryBytes: number }[] }>("containers:stats", (p) => p.items.some((c) => c.id === id), 20_000, from);
      expect(stats.items.find((c) => c.id === id)!.memoryBytes).toBeGreaterThan(0);
    } finally {
      ui.close();
    }
  });

  test("a terminal into a container of the node runs through the agent: input, output, resize and exit", async () => {
    const id = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-shell`);
    const ui = await connectUi(server, owner);
    try {
      const opened = (await ui.ack("terminal:open", { agentId, containerId: id, shell: "sh", cols: 80, rows: 24 })) as unknown as { ok: boolean; sessionId: string };
      expect(opened).toMatchObject({ ok: true, sessionId: expect.any(String) });
      const frame = (value: object) => ui.socket.emit("terminal:frame", JSON.stringify(value));
      frame({ type: "input", data: "echo remote-$((6*7))\n" });
      await terminalText(ui, opened.sessionId, /(^|\n)remote-42\r?\n/, 15_000);
      frame({ type: "resize", cols: 100, rows: 30 });
      await new Promise((r) => setTimeout(r, 200));
      frame({ type: "input", data: "busybox stty size\n" });
      await terminalText(ui, opened.sessionId, /(^|\n)30 100\r?\n/, 15_000);
      frame({ type: "input", data: "exit 3\n" });
      const exit = await ui.waitFor<{ sessionId: string; exitCode: number | null }>("terminal:exit", (p) => p.sessionId === opened.sessionId, 15_000);
      expect(exit.exitCode).toBe(3);
    } finally {
      ui.close();
    }
  });

  test("a replayed signature of an earlier nonce is refused", async () => {
    const enrollment = await createToken({ name: "replay" });
    const key = testKey();
    const res = await enroll(enrollment.secret, key.pem, { name: `replay-${RUN_ID.slice(-6)}` });
    const otherId = ((await res.json()) as { agentId: string }).agentId;
    const first = await rawAuth((nonce) => ({ agentId: otherId, signature: sign(null, authMessage(otherId, nonce), key.privateKey).toString("base64") }));
    expect(first.reply).toMatchObject({ ok: true });
    const captured = sign(null, authMessage(otherId, first.nonce), key.privateKey).toString("base64");
    first.socket.disconnect();
    const replay = await rawAuth(() => ({ agentId: otherId, signature: captured }));
    expect(replay.reply).toMatchObject({ ok: false, code: "bad_signature" });
    await waitFor("the refused socket to close", async () => !replay.socket.connected, 5_000);
  });

  test("another agent's id is refused: a key proves only its own agent", async () => {
    const enrollment = await createToken({ name: "impostor" });
    const key = testKey();
    expect((await enroll(enrollment.secret, key.pem, { name: `impostor-${RUN_ID.slice(-6)}` })).status).toBe(201);
    const attempt = await rawAuth((nonce) => ({ agentId, signature: sign(null, authMessage(agentId, nonce), key.privateKey).toString("base64") }));
    expect(attempt.reply).toMatchObject({ ok: false, code: "bad_signature" });
    attempt.socket.disconnect();
    // The real agent is untouched.
    expect((await listAgents()).find((a) => a.id === agentId)?.status).toBe("online");
  });

  test("a frame for a flow the control plane never opened is dropped and logged", async () => {
    const enrollment = await createToken({ name: "forger" });
    const key = testKey();
    const forgerId = ((await (await enroll(enrollment.secret, key.pem, { name: `forger-${RUN_ID.slice(-6)}` })).json()) as { agentId: string }).agentId;
    const session = await rawAuth((nonce) => ({ agentId: forgerId, signature: sign(null, authMessage(forgerId, nonce), key.privateKey).toString("base64") }));
    expect(session.reply.ok).toBe(true);
    session.socket.emit("flow:data", { flow: 4242, items: [[{ time: null, stream: "stdout", message: "forged" }]] });
    await waitFor("the drop in the server's log", async () => /agent frame dropped/.test(server.output()), 5_000);
    session.socket.disconnect();
  });

  test("another organization sees neither the agent nor the tokens, and cannot act on them", async () => {
    const other = (await saasOwnerClient(server, "other")).client;
    const theirs = (await (await other.request("/api/v1/agents")).json()) as { items: { id: string }[] };
    expect(theirs.items.map((a) => a.id)).not.toContain(agentId);
    expect((await other.request(`/api/v1/agents/${agentId}/containers`)).status).toBe(404);
    expect((await other.request(`/api/v1/agents/${agentId}`, { method: "PATCH", json: { name: "mine" } })).status).toBe(404);
    expect((await other.request(`/api/v1/agents/${agentId}`, { method: "DELETE" })).status).toBe(404);
    expect((await other.request(`/api/v1/agents/enrollment-tokens/${token.id}`, { method: "DELETE" })).status).toBe(404);
    const tokens = (await (await other.request("/api/v1/agents/enrollment-tokens")).json()) as { items: unknown[] };
    expect(tokens.items).toEqual([]);
  });

  test("an agent is renamed; a name another agent has is a 409, a bad one a 400", async () => {
    const res = await owner.request(`/api/v1/agents/${agentId}`, { method: "PATCH", json: { name: "edge 1" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { agent: { name: string } }).agent.name).toBe("edge 1");
    expect((await listAgents()).find((a) => a.id === agentId)?.name).toBe("edge 1");
    // Another agent of the organization holds a name: renaming onto it is a conflict.
    await sql(`INSERT INTO "Agent" (id, "orgId", name, kind) SELECT gen_random_uuid(), "orgId", 'edge 2', 'remote' FROM "Agent" WHERE id = $1`, [agentId]);
    expect((await owner.request(`/api/v1/agents/${agentId}`, { method: "PATCH", json: { name: "edge 2" } })).status).toBe(409);
    const bad = await owner.request(`/api/v1/agents/${agentId}`, { method: "PATCH", json: { name: "<script>" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields).toHaveProperty("name");
  });

  test("a node that goes silent is offline within 30 s, and back online when it answers again", async () => {
    agent.child.kill("SIGSTOP");
    const t0 = Date.now();
    try {
      await waitFor("offline", async () => (await listAgents()).find((a) => a.id === agentId)?.status === "offline", 35_000);
      expect(Date.now() - t0).toBeLessThanOrEqual(30_000);
      const started = performance.now();
      const res = await owner.request(`/api/v1/agents/${agentId}/containers`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("agent_offline");
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      agent.child.kill("SIGCONT");
    }
    await waitFor("back online", async () => (await listAgents()).find((a) => a.id === agentId)?.status === "online", 20_000);
  }, 70_000);

  test("when its row is gone and its token is still valid, the agent enrolls again by itself", async () => {
    await sql(`DELETE FROM "Agent" WHERE id = $1`, [agentId]);
    const stateFile = join(agent.dataDir, "agent.json");
    const newId = await waitFor("a new agent id on the node", async () => {
      // Between forgetting the old identity and saving the new one there is no file.
      const id = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, "utf8")) as { agentId: string }).agentId : agentId;
      return id !== agentId && id;
    }, 30_000);
    expect(agent.output(), agent.output()).toMatch(/does not accept this agent.s credentials/);
    await waitFor("the new agent online", async () => (await listAgents()).find((a) => a.id === newId)?.status === "online", 20_000);
    agentId = newId;
  }, 45_000);

  test("deleting the agent closes its socket at once; it says why and stops, and a restart does not retry", async () => {
    const res = await owner.request(`/api/v1/agents/${agentId}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    const code = await Promise.race([agent.exited, new Promise<string>((r) => setTimeout(() => r("still running"), 5_000))]);
    expect(code).toBe(3);
    expect(agent.output()).toMatch(/revoked this agent: This agent was deleted by an administrator/);
    expect((await listAgents()).find((a) => a.id === agentId)).toBeUndefined();
    expect((await owner.request(`/api/v1/agents/${agentId}/containers`)).status).toBe(404);

    // Restarted with the same (still valid) token: it refuses to knock again.
    const again = startAgent({ serverUrl: server.url, token: token.secret, dockerHost, dataDir: agent.dataDir });
    agents.push(again);
    expect(await again.exited).toBe(3);
    expect(again.output()).toMatch(/was revoked/);
    expect(again.output()).not.toMatch(/connected to the control plane/);
  }, 30_000);
});

describe("proxy hosts on the node's own nginx", () => {
  let node: AgentProcess;
  let nodeId: string;
  let upstream: HttpServer;
  let httpPort: number;

  beforeAll(async () => {
    upstream = createServer((_req, res) => res.end("from the node's upstream"));
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
    httpPort = await freePort();
    const token = await createToken({ name: "nginx node" });
    node = startAgent({
      serverUrl: server.url,
      token: token.secret,
      dockerHost,
      name: `edge-${RUN_ID.slice(-6)}`,
      env: { NGINX_MODE: "local", NGINX_BIN: "/usr/sbin/nginx", NGINX_LISTEN_ADDRESS: "127.0.0.1", NGINX_HTTP_PORT: String(httpPort), NGINX_HTTPS_PORT: String(await freePort()) },
    });
    agents.push(node);
    await node.waitForLog(/connected to the control plane/, 60_000);
    nodeId = JSON.parse(readFileSync(join(node.dataDir, "agent.json"), "utf8")).agentId;
  }, 90_000);

  afterAll(async () => {
    await node?.stop();
    stopNginxOf(node.dataDir);
    upstream?.close();
  });

  test("a proxy host created on the remote agent is rendered here, applied on the node, and served by the node's nginx", async () => {
    const port = (upstream.address() as AddressInfo).port;
    const res = await owner.post(`/api/v1/agents/${nodeId}/proxies`, { kind: "proxy", domains: ["remote.test"], upstream: { scheme: "http", host: "127.0.0.1", port } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ domains: ["remote.test"], status: { state: "ok", message: null } });
    expect(await viaNginx(httpPort, "remote.test")).toEqual({ status: 200, body: "from the node's upstream" });
    // The tree lives under the node's data directory, not the control plane's.
    expect(existsSync(join(node.dataDir, "nginx"))).toBe(true);
    const status = await owner.request(`/api/v1/agents/${nodeId}/proxies/status`);
    expect(status.status).toBe(200);
  });
});

describe("deleting the organization", () => {
  test("its connected agent is told why and stops; its row and credentials are gone", async () => {
    const doomed = await saasOwnerClient(server, "doomed");
    const res = await doomed.client.post("/api/v1/agents/enrollment-tokens", { name: "doomed", maxUses: 1, expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(res.status).toBe(201);
    const { secret } = (await res.json()) as { secret: string };
    const agent = startAgent({ serverUrl: server.url, token: secret, dockerHost, name: "doomed-node" });
    agents.push(agent);
    await agent.waitForLog(/connected to the control plane/, 30_000);
    const slug = ((await (await doomed.client.request("/api/v1/orgs/current")).json()) as { slug: string }).slug;

    expect((await doomed.client.request("/api/v1/orgs/current", { method: "DELETE", json: { confirm: slug } })).status).toBe(204);
    const code = await Promise.race([agent.exited, new Promise<string>((r) => setTimeout(() => r("still running"), 10_000))]);
    expect(code, agent.output()).toBe(3);
    expect(agent.output()).toMatch(/The organization doomed was deleted/);
    expect((await sql(`SELECT count(*)::int AS n FROM "Agent" WHERE "orgId" = $1`, [doomed.orgId])).rows[0].n).toBe(0);
  }, 60_000);
});

describe("editions", () => {
  test("Community has no remote agents: the enrollment API is a 404", async () => {
    const community = await startServer({ env: { EDITION: "community", DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
    try {
      const res = await fetch(`${community.url}/api/v1/agents/enroll`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: "ipe_xxxxxxxxxxxxxxxx", publicKey: testKey().pem }) });
      expect(res.status).toBe(404);
    } finally {
      await community.stop();
    }
  });
});
