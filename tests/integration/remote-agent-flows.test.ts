// The flow protocol between RemoteAgent (control plane) and the dispatcher (node) over a real
// Socket.IO connection on loopback: credit-based back-pressure, cancel, errors through the wire
// codec, and offline failing fast. The Agent behind the dispatcher is a producer we can count.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server, type Socket as ServerSocket } from "socket.io";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ContainerNotFoundError } from "#agent/errors";
import type { AgentProbes } from "#agent/probes";
import { AgentDispatcher } from "#agent/remote/dispatcher";
import { FLOW_WINDOW } from "#agent/remote/protocol";
import { RemoteAgent } from "#agent/remote/remote-agent";
import type { Agent, LogEntry } from "#agent/types";

let produced = 0;
let producerStopped = false;
const producer = {
  async *logs(id: string, _options: unknown, signal?: AbortSignal): AsyncIterable<LogEntry[]> {
    if (id === "missing") throw new ContainerNotFoundError(id);
    try {
      while (!signal?.aborted) {
        produced++;
        yield [{ time: null, stream: "stdout", message: `line ${produced}` }];
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      producerStopped = true;
    }
  },
  async inspectContainer(id: string) {
    throw new ContainerNotFoundError(id);
  },
  async listContainers() {
    return [];
  },
} as unknown as Agent;

let http: ReturnType<typeof createServer>;
let ioServer: Server;
let client: Socket;
let serverSocket: ServerSocket;
const remote = new RemoteAgent("flow-test");

beforeAll(async () => {
  http = createServer();
  ioServer = new Server(http);
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const connected = new Promise<ServerSocket>((r) => ioServer.of("/agent").on("connection", r));
  client = io(`http://127.0.0.1:${(http.address() as AddressInfo).port}/agent`, { transports: ["websocket"], reconnection: false });
  new AgentDispatcher(producer, {} as AgentProbes).attach(client as never);
  serverSocket = await connected;
  remote.attach(serverSocket);
  serverSocket.on("flow:data", (f: unknown) => remote.receiveData(f, serverSocket));
  serverSocket.on("flow:end", (f: unknown) => remote.receiveEnd(f, serverSocket));
  await new Promise((r) => (client.connected ? r(null) : client.once("connect", () => r(null))));
});

afterAll(async () => {
  client?.close();
  await new Promise((r) => ioServer?.close(() => r(null)));
});

describe("flows", () => {
  test("a consumer that does not read holds the agent to its credit window, and reading moves it on", async () => {
    produced = 0;
    const controller = new AbortController();
    const iterator = remote.logs("web", { follow: true }, controller.signal)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toEqual([{ time: null, stream: "stdout", message: "line 1" }]);
    await new Promise((r) => setTimeout(r, 500));
    // The window plus the one batch the agent read while waiting for credit: nothing more.
    expect(produced).toBeLessThanOrEqual(FLOW_WINDOW + 1);
    for (let i = 0; i < FLOW_WINDOW * 2; i++) await iterator.next();
    await new Promise((r) => setTimeout(r, 300));
    expect(produced).toBeGreaterThan(FLOW_WINDOW * 2);
    expect(produced).toBeLessThanOrEqual(FLOW_WINDOW * 3 + 2);
    producerStopped = false;
    await iterator.return!();
    await expect.poll(() => producerStopped, { timeout: 2_000 }).toBe(true);
  });

  test("errors cross the wire as the same classes: a missing container is container_not_found", async () => {
    await expect(remote.inspectContainer("nope")).rejects.toMatchObject({ code: "container_not_found", containerId: "nope" });
    const stream = remote.logs("missing", {});
    await expect((async () => { for await (const _ of stream) void _; })()).rejects.toMatchObject({ code: "container_not_found" });
  });

  test("invalid arguments are refused by the node before they reach Docker", async () => {
    await expect(remote.inspectContainer("../../etc/passwd")).rejects.toThrow(/Invalid arguments/);
  });

  test("a paused agent (its organization suspended) is sent no command that changes anything; reads go on (decision 125)", async () => {
    let opened = 0;
    const count = () => opened++;
    serverSocket.onAnyOutgoing(count);
    remote.setPaused("its organization is suspended by the service operator");
    try {
      await expect(remote.stopContainer("web")).rejects.toMatchObject({ code: "agent_paused", message: expect.stringMatching(/paused: its organization is suspended/) });
      await expect(remote.proxies.apply({ files: {} })).rejects.toMatchObject({ code: "agent_paused" });
      await expect(remote.exec("web", { cmd: ["sh"] })).rejects.toMatchObject({ code: "agent_paused" });
      const pull = remote.pullImage("busybox:latest");
      await expect((async () => { for await (const _ of pull) void _; })()).rejects.toMatchObject({ code: "agent_paused" });
      expect(opened).toBe(0);
      // Reads still cross the wire.
      expect(await remote.listContainers()).toEqual([]);
      expect(opened).toBe(1);
    } finally {
      remote.setPaused(null);
      serverSocket.offAnyOutgoing(count);
    }
    // Resumed: the call goes to the node again (whose producer has no stopContainer).
    await expect(remote.stopContainer("web")).rejects.not.toMatchObject({ code: "agent_paused" });
  });

  test("when the socket goes, open flows end and calls fail at once with agent_offline", async () => {
    const iterator = remote.logs("web", { follow: true })[Symbol.asyncIterator]();
    await iterator.next();
    client.disconnect();
    remote.disconnected(serverSocket, "test disconnect");
    await expect((async () => { for (;;) if ((await iterator.next()).done) return; })()).rejects.toMatchObject({ code: "agent_offline" });
    const t0 = performance.now();
    await expect(remote.listContainers()).rejects.toMatchObject({ code: "agent_offline" });
    expect(performance.now() - t0).toBeLessThan(50);
  });
});
