// Proxy hosts' access and error logs in the Logs page's live stream, through the real server
// (production build), a real nginx on loopback and the real Docker engine, over the /ui socket:
// access and error lines of the chosen hosts arrive merged in time order with a container's lines,
// with their own source and a level from the status (or nginx's level); another organization
// cannot subscribe to the hosts. Once with persistence (the shipper's tailer feeds the viewers,
// lines published once committed) and once without (a live-only tailer for the viewers).
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { mergeByTime } from "~/components/logs/live-merge";
import type { LiveLine } from "~/server/logs/log-line";
import { removeTestContainers } from "../setup/docker";
import { connectUi, localAgentId, runContainer, type UiClient } from "../setup/containers";
import { viaNginx } from "../setup/nginx";
import { freePort } from "../setup/postgres";
import { secondOrganizationClient, setUpServer, startServer, type Client, type TestServer } from "../setup/server";

const RUN_ID = `llp-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
let upstream: Server;
let upstreamPort: number;

type Line = { time: string; source: { containerId?: string; proxyHostId?: string; proxyHostName?: string; containerName?: string }; stream: string; level: string; message: string };
type Batch = { subscriptionId: string; items: Line[] };

interface Env {
  server: TestServer;
  admin: Client;
  agentId: string;
  httpPort: number;
  ui: UiClient;
}

async function boot(extra: Record<string, string>): Promise<Env> {
  const httpPort = await freePort();
  const server = await startServer({
    env: { NGINX_BIN: "/usr/sbin/nginx", NGINX_HTTP_PORT: String(httpPort), NGINX_HTTPS_PORT: String(await freePort()), NGINX_LISTEN_ADDRESS: "127.0.0.1", DOCKER_HOST: dockerHost, ...extra },
  });
  const admin = await setUpServer(server);
  const agentId = await localAgentId(admin);
  const ui = await connectUi(server, admin);
  return { server, admin, agentId, httpPort, ui };
}

async function shutdown(env: Env | undefined): Promise<void> {
  if (!env) return;
  env.ui.close();
  await env.server.stop();
  try {
    process.kill(Number(readFileSync(join(env.server.dataDir, "nginx", "run", "nginx.pid"), "utf8")), "SIGQUIT");
  } catch {
    // nginx never started
  }
}

async function addHost(env: Env, domain: string, port: number): Promise<string> {
  const res = await env.admin.post(`/api/v1/agents/${env.agentId}/proxies`, { kind: "proxy", domains: [domain], upstream: { scheme: "http", host: "127.0.0.1", port } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** What the page shows: batches merged by time as they arrive. */
function linesOf(ui: UiClient, subscriptionId: string): Line[] {
  return ui.events
    .filter((e) => e.event === "logs:stream:batch" && (e.payload as Batch).subscriptionId === subscriptionId)
    .reduce<LiveLine[]>((view, e) => mergeByTime(view, (e.payload as Batch).items as LiveLine[], 1_000_000), []) as Line[];
}

async function eventually<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("not found in time");
    await new Promise((r) => setTimeout(r, 200));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  upstreamPort = await freePort();
  upstream = createServer((req, res) => {
    res.statusCode = req.url?.includes("missing") ? 404 : 200;
    res.end("from upstream");
  });
  await new Promise<void>((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
});

afterAll(async () => {
  upstream?.close();
  await removeTestContainers(dockerHost, RUN_ID);
});

describe("proxy logs in the live stream, persisted", () => {
  let env: Env;
  beforeAll(async () => {
    env = await boot({});
  });
  afterAll(() => shutdown(env));

  test("access and error lines of the chosen hosts merge in time order with a container's lines, with source and level", async () => {
    const hostId = await addHost(env, "live.test", upstreamPort);
    const deadHostId = await addHost(env, "dead-live.test", await freePort());
    // Wait until the persistence shipper follows the host (it starts within 15 s of setup).
    let knock = 0;
    await eventually(async () => {
      await viaNginx(env.httpPort, "live.test", `/knock-${knock++}`);
      const res = await env.admin.request(`/api/v1/logs?proxyHostId=${hostId}&limit=1`);
      return ((await res.json()) as { items: unknown[] }).items.length > 0 ? true : undefined;
    }, 40_000);

    const marker = `m${Date.now().toString(36)}`;
    const containerId = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-ticker`, ["sh", "-c", `trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo tick-${marker}-$i; sleep 0.3; done`]);
    const answer = await env.ui.ack("logs:stream", { agentId: env.agentId, containerIds: [containerId], proxyHostIds: [hostId, deadHostId], since: new Date().toISOString() });
    expect(answer).toMatchObject({ ok: true });
    const { subscriptionId, sources } = answer as unknown as { subscriptionId: string; sources: Line["source"][] };
    expect(sources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ containerId }),
        expect.objectContaining({ proxyHostId: hostId, proxyHostName: "live.test" }),
        expect.objectContaining({ proxyHostId: deadHostId, proxyHostName: "dead-live.test" }),
      ]),
    );

    await eventually(() => (linesOf(env.ui, subscriptionId).filter((l) => l.source.containerId === containerId).length >= 2 ? true : undefined));
    expect((await viaNginx(env.httpPort, "live.test", `/ok-${marker}`)).status).toBe(200);
    await sleep(700);
    expect((await viaNginx(env.httpPort, "live.test", `/missing-${marker}`)).status).toBe(404);
    await sleep(700);
    expect((await viaNginx(env.httpPort, "dead-live.test", `/down-${marker}`)).status).toBe(502);

    const lines = await eventually(() => {
      const all = linesOf(env.ui, subscriptionId);
      const proxy = all.filter((l) => l.source.proxyHostId);
      return proxy.some((l) => l.stream === "error") && proxy.filter((l) => l.stream === "access" && l.message.includes(marker)).length >= 3 ? all : undefined;
    });
    const access = (uri: string) => lines.find((l) => l.stream === "access" && l.message.includes(`"uri":"${uri}"`));
    expect(access(`/ok-${marker}`)).toMatchObject({ level: "info", source: { proxyHostId: hostId, proxyHostName: "live.test" } });
    expect(access(`/missing-${marker}`)).toMatchObject({ level: "warn", source: { proxyHostId: hostId } });
    expect(access(`/down-${marker}`)).toMatchObject({ level: "error", source: { proxyHostId: deadHostId } });
    const error = lines.find((l) => l.stream === "error")!;
    expect(error).toMatchObject({ level: "error", source: { proxyHostId: deadHostId } });
    expect(error.message).toMatch(/\[error\].*connect\(\) failed/);
    // Knocks from before the subscription's start are not in the stream (the stream starts at `since`).
    expect(lines.some((l) => l.message.includes('"uri":"/knock-0"'))).toBe(false);

    // One merged stream in time order: container ticks before and after the requests surround them.
    const times = lines.map((l) => l.time);
    expect([...times].sort()).toEqual(times);
    const ok = lines.indexOf(access(`/ok-${marker}`)!);
    const missing = lines.indexOf(access(`/missing-${marker}`)!);
    expect(lines.slice(0, ok).some((l) => l.source.containerId === containerId)).toBe(true);
    expect(lines.slice(ok + 1, missing).some((l) => l.source.containerId === containerId)).toBe(true);
    // No line twice (the seam between stored history and live lines).
    const keys = lines.map((l) => `${l.source.proxyHostId ?? l.source.containerId}|${l.time}|${l.message}`);
    expect(new Set(keys).size).toBe(keys.length);

    // A reconnecting viewer resuming from before the requests gets them from the store, once.
    const resumeFrom = lines[Math.max(0, ok - 1)]!.time;
    const again = await env.ui.ack("logs:stream", { agentId: env.agentId, proxyHostIds: [hostId], since: resumeFrom });
    expect(again).toMatchObject({ ok: true });
    const againId = (again as unknown as { subscriptionId: string }).subscriptionId;
    const replayed = await eventually(() => {
      const got = linesOf(env.ui, againId);
      return got.some((l) => l.message.includes(`/missing-${marker}`)) ? got : undefined;
    });
    expect(replayed.every((l) => l.source.proxyHostId === hostId)).toBe(true);
    expect(replayed.filter((l) => l.message.includes(`/ok-${marker}`))).toHaveLength(1);
    expect(replayed.filter((l) => l.message.includes(`/missing-${marker}`))).toHaveLength(1);
    env.ui.socket.emit("logs:stream:unsubscribe", { subscriptionId });
    env.ui.socket.emit("logs:stream:unsubscribe", { subscriptionId: againId });
  });

  test("another organization cannot subscribe to the hosts (404), and proxy hosts alone need no container", async () => {
    const hostId = await addHost(env, "other-org.test", upstreamPort);
    const otherClient = await secondOrganizationClient(env.server);
    const other = await connectUi(env.server, otherClient);
    try {
      // Its own agent, so the refusal is the proxy host's, not the agent's.
      const otherAgent = await localAgentId(otherClient);
      expect(otherAgent).not.toBe(env.agentId);
      const answer = await other.ack("logs:stream", { agentId: otherAgent, proxyHostIds: [hostId] });
      expect(answer).toMatchObject({ ok: false, error: { code: "not_found" } });
    } finally {
      other.close();
    }
    const mine = await env.ui.ack("logs:stream", { agentId: env.agentId, proxyHostIds: [hostId] });
    expect(mine).toMatchObject({ ok: true, sources: [{ proxyHostId: hostId, proxyHostName: "other-org.test" }] });
    // Neither containers nor proxy hosts: still refused with a message.
    expect(await env.ui.ack("logs:stream", { agentId: env.agentId })).toMatchObject({ ok: false, error: { code: "validation_failed" } });
  });
});

describe("proxy logs in the live stream, without persistence", () => {
  let env: Env;
  beforeAll(async () => {
    env = await boot({ LOGS_PERSIST: "false" });
  });
  afterAll(() => shutdown(env));

  test("a live-only tailer feeds the viewer; lines from before it are not replayed", async () => {
    const hostId = await addHost(env, "nopersist.test", upstreamPort);
    expect((await viaNginx(env.httpPort, "nopersist.test", "/before-viewer")).status).toBe(200);
    const answer = await env.ui.ack("logs:stream", { agentId: env.agentId, proxyHostIds: [hostId], since: new Date(Date.now() - 60_000).toISOString() });
    expect(answer).toMatchObject({ ok: true });
    const subscriptionId = (answer as unknown as { subscriptionId: string }).subscriptionId;
    // The tailer starts the files at their end: knock until a line after that arrives.
    let n = 0;
    const lines = await eventually(async () => {
      await viaNginx(env.httpPort, "nopersist.test", `/live-${n++}`);
      const got = linesOf(env.ui, subscriptionId);
      return got.length > 0 ? got : undefined;
    });
    expect(lines[0]).toMatchObject({ stream: "access", level: "info", source: { proxyHostId: hostId, proxyHostName: "nopersist.test" } });
    expect(lines.some((l) => l.message.includes("/before-viewer"))).toBe(false);
    // Nothing was stored (persistence is off).
    const stored = await env.admin.request(`/api/v1/logs?proxyHostId=${hostId}`);
    expect(((await stored.json()) as { items: unknown[] }).items).toEqual([]);
  });
});
