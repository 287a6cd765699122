// A suspended organization's agents pause (decision 125), end to end: the real server (EDITION=saas)
// with its platform operator, and the real standalone agent (tsx agent/main.ts) serving the private
// test dockerd. The operator suspends the organization: the connected agent is told at once and
// says so in its log, the control plane refuses a container stop and the container keeps running;
// an agent that connects while the organization is suspended is told at connect time; after
// unsuspending, the stop goes through. A second part points the same real agent process at a
// control plane the test plays itself, to show that the node refuses on its own (not only because
// the real control plane sends it nothing): writes refused with agent_paused, reads and heartbeats
// answered, and a resume frame undoing it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Server, type Socket as ServerSocket } from "socket.io";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import type { RpcReply } from "#agent/remote/protocol";
import { docker, removeTestContainers } from "../setup/docker";
import { runContainer } from "../setup/containers";
import { saasOwnerClient, startAgent, type AgentProcess } from "../setup/saas";
import { Client, startServer, type TestServer } from "../setup/server";

const RUN_ID = `pause-${process.pid}-${Date.now().toString(36)}`;
const OPERATOR = { email: "ops@pause.example", name: "Olga Operator", password: "operator password of some length" };
const dockerHost = inject("dockerHost");
let server: TestServer;
let owner: Client;
let orgId: string;
let operator: Client;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  // No engine for the control plane: every container seen here came through the agent.
  server = await startServer({ env: { EDITION: "saas", DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
  ({ client: owner, orgId } = await saasOwnerClient(server, "paused"));
  operator = new Client(server.url);
  expect((await operator.post("/api/v1/setup", OPERATOR)).status).toBe(201);
  expect((await operator.post("/api/v1/auth/login", { email: OPERATOR.email, password: OPERATOR.password })).status).toBe(200);
});

afterAll(async () => {
  for (const a of agents) await a.stop("SIGKILL");
  await server?.stop();
  await removeTestContainers(dockerHost, RUN_ID);
});

async function state(id: string): Promise<string> {
  return (await docker(dockerHost, ["inspect", "-f", "{{.State.Status}}", id])).trim();
}

async function suspend(suspended: boolean): Promise<void> {
  const res = await operator.request(`/api/v1/admin/orgs/${orgId}`, { method: "PATCH", json: { suspended } });
  expect(res.status).toBe(200);
}

function count(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, "g"))?.length ?? 0;
}

describe("suspending an organization pauses its agents", () => {
  let agent: AgentProcess;
  let agentId: string;
  let dataDir: string;
  let container: string;

  beforeAll(async () => {
    const res = await owner.post("/api/v1/agents/enrollment-tokens", { name: "node", maxUses: 1, expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(res.status).toBe(201);
    const { secret } = (await res.json()) as { secret: string };
    agent = startAgent({ serverUrl: server.url, token: secret, dockerHost, name: `node-${RUN_ID.slice(-6)}` });
    agents.push(agent);
    await agent.waitForLog(/connected to the control plane/, 60_000);
    dataDir = agent.dataDir;
    agentId = JSON.parse(readFileSync(join(dataDir, "agent.json"), "utf8")).agentId;
    container = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-web`);
  }, 90_000);

  test("the connected agent is told at once; a stop is refused and the container keeps running; unsuspending lets it through", async () => {
    const base = `/api/v1/agents/${agentId}/containers`;
    await suspend(true);
    await agent.waitForLog(/paused: its organization is suspended by the service operator/, 15_000);

    const stop = await owner.post(`${base}/${container}/stop`, {});
    expect(stop.status).toBe(403);
    expect(((await stop.json()) as { error: { code: string } }).error.code).toBe("org_suspended");
    expect(await state(container)).toBe("running");
    // Reading goes on, through the paused agent.
    const list = await owner.request(`${base}?all=true`);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: { id: string }[] }).items.some((c) => c.id === container)).toBe(true);

    await suspend(false);
    await agent.waitForLog(/resumed: the organization's suspension was lifted/, 15_000);
    const stopped = await owner.post(`${base}/${container}/stop`, {});
    expect(stopped.status).toBe(200);
    expect(await state(container)).toBe("exited");
    expect((await owner.post(`${base}/${container}/start`, {})).status).toBe(200);
    expect(await state(container)).toBe("running");
  });

  test("an agent that connects while the organization is suspended is told at connect time, and heartbeats go on", async () => {
    await agent.stop("SIGTERM");
    await suspend(true);
    agent = startAgent({ serverUrl: server.url, dockerHost, dataDir });
    agents.push(agent);
    await agent.waitForLog(/connected to the control plane[\s\S]*paused: its organization is suspended/, 60_000);
    // Heartbeats keep the row online with a fresh latency while paused.
    const seen = async () => {
      const res = await owner.request("/api/v1/agents");
      const items = ((await res.json()) as { items: { id: string; status: string; lastSeenAt: string | null }[] }).items;
      return items.find((a) => a.id === agentId);
    };
    const before = (await seen())!.lastSeenAt;
    await expect
      .poll(
        async () => {
          const row = await seen();
          return row?.lastSeenAt !== before ? row?.status : "no heartbeat yet";
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe("online");

    expect((await owner.post(`/api/v1/agents/${agentId}/containers/${container}/stop`, {})).status).toBe(403);
    expect(await state(container)).toBe("running");

    await suspend(false);
    await agent.waitForLog(/resumed: the organization's suspension was lifted/, 15_000);
    expect((await owner.post(`/api/v1/agents/${agentId}/containers/${container}/stop`, {})).status).toBe(200);
    expect(await state(container)).toBe("exited");
  });

  test("the node refuses on its own: writes are agent_paused, reads and heartbeats answered, a resume frame undoes it", async () => {
    await agent.stop("SIGTERM");
    const target = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-own`);
    // A control plane played by the test: it accepts the agent and says the organization is suspended.
    const http = createServer();
    const io = new Server(http);
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const connected = new Promise<ServerSocket>((resolve) =>
      io.of("/agent").on("connection", (socket) => {
        socket.once("auth", (frame: { agentId: string }, ack: (r: unknown) => void) => {
          ack({ ok: true, agentId: frame.agentId, name: "node", paused: { reason: "its organization is suspended by the service operator" } });
          resolve(socket);
        });
        socket.emit("challenge", { nonce: "n".repeat(43), protocol: 1 });
      }),
    );
    const own = startAgent({ serverUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, dockerHost, dataDir });
    agents.push(own);
    try {
      const socket = await connected;
      await own.waitForLog(/paused: its organization is suspended/, 30_000);
      const rpc = (method: string, args: unknown[]) => socket.timeout(60_000).emitWithAck("rpc", { method, args }) as Promise<RpcReply>;

      const refused = await rpc("stopContainer", [target]);
      expect(refused).toMatchObject({ ok: false, error: { code: "agent_paused", message: expect.stringMatching(/paused: its organization is suspended/) } });
      expect(await state(target)).toBe("running");
      for (const [method, args] of [
        ["removeContainer", [target, { force: true }]],
        ["restartContainer", [target]],
        ["proxy.apply", [{ files: { "a.conf": "" } }]],
        ["createNetwork", [{ name: `${RUN_ID}-net`, driver: "bridge" }]],
      ] as const) {
        expect(await rpc(method, [...args]), method).toMatchObject({ ok: false, error: { code: "agent_paused" } });
      }
      expect(await state(target)).toBe("running");
      const terminal = (await socket.timeout(30_000).emitWithAck("flow:open", { flow: 1, method: "exec", args: [target, { cmd: ["sh"] }], credit: 16 })) as RpcReply;
      expect(terminal).toMatchObject({ ok: false, error: { code: "agent_paused" } });
      expect(own.output()).toMatch(/refused a command: the organization is suspended/);

      const list = await rpc("listContainers", [{ all: true }]);
      expect(list.ok).toBe(true);
      expect(((list as { result: { id: string }[] }).result).some((c) => c.id === target)).toBe(true);
      expect(await socket.timeout(10_000).emitWithAck("hb", { t: 42 })).toMatchObject({ t: 42 });

      // A malformed frame changes nothing; a resume frame lifts the pause.
      socket.emit("org:suspension", { paused: "no" });
      await own.waitForLog(/malformed suspension frame ignored/, 10_000);
      expect(await rpc("stopContainer", [target])).toMatchObject({ ok: false, error: { code: "agent_paused" } });
      socket.emit("org:suspension", { paused: false });
      await own.waitForLog(/resumed: the organization's suspension was lifted/, 10_000);
      expect(await rpc("stopContainer", [target])).toEqual({ ok: true, result: null });
      expect(await state(target)).toBe("exited");

      // And pausing again over the connection (not only at connect time).
      socket.emit("org:suspension", { paused: true, reason: "its organization is suspended by the service operator" });
      await expect.poll(() => count(own.output(), /paused: its organization is suspended/), { timeout: 10_000 }).toBe(2);
      expect(await rpc("startContainer", [target])).toMatchObject({ ok: false, error: { code: "agent_paused" } });
      expect(await state(target)).toBe("exited");
    } finally {
      await own.stop("SIGKILL");
      await new Promise((r) => io.close(() => r(null)));
    }
  }, 90_000);
});
