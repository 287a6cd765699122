// Live container updates over the /ui socket against the real server and Docker engine: log
// follow, the web terminal (echo, resize, bad frames, exit), list changes and stats batches.
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { docker, removeTestContainers } from "../setup/docker";
import { connectUi, localAgentId, runContainer, terminalText, type UiClient } from "../setup/containers";
import { setUpServer, startServer, type Client, type TestServer } from "../setup/server";

const RUN_ID = `rt-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
let server: TestServer;
let admin: Client;
let agentId: string;
let ui: UiClient;

beforeAll(async () => {
  server = await startServer({ env: { DOCKER_HOST: dockerHost } });
  admin = await setUpServer(server);
  agentId = await localAgentId(admin);
  ui = await connectUi(server, admin);
});

afterAll(async () => {
  ui?.close();
  await server?.stop();
  await removeTestContainers(dockerHost, RUN_ID);
});

const name = (suffix: string) => `${RUN_ID}-${suffix}`;
type Batch = { subscriptionId: string; items: { message: string; stream: string }[] };

async function openTerminal(containerId: string): Promise<string> {
  const opened = await ui.ack("terminal:open", { agentId, containerId, shell: "sh", cols: 80, rows: 24 });
  expect(opened).toMatchObject({ ok: true, sessionId: expect.any(String) });
  return (opened as unknown as { sessionId: string }).sessionId;
}

const frame = (value: object) => ui.socket.emit("terminal:frame", JSON.stringify(value));

describe("live logs", () => {
  test("follow delivers the last lines, then new ones as the container prints them", async () => {
    const id = await runContainer(dockerHost, RUN_ID, name("ticker"), ["sh", "-c", "echo first; sleep 0.1; echo oops >&2; i=0; while true; do sleep 0.3; i=$((i+1)); echo tick$i; done"]);
    // Docker does not order stdout against stderr written within microseconds; the script paces
    // them, and we subscribe once both are out.
    await new Promise((r) => setTimeout(r, 400));
    const subscribed = await ui.ack("logs:subscribe", { agentId, containerId: id, tail: 100 });
    expect(subscribed).toMatchObject({ ok: true });
    const subscriptionId = (subscribed as unknown as { subscriptionId: string }).subscriptionId;
    const mine = (b: Batch) => b.subscriptionId === subscriptionId;
    const lines = () => ui.events.filter((e) => e.event === "logs:batch" && mine(e.payload as Batch)).flatMap((e) => (e.payload as Batch).items);

    await ui.waitFor<Batch>("logs:batch", (b) => mine(b) && b.items.some((l) => l.message === "first"));
    const before = lines().length;
    // Lines printed after the subscription arrive as later batches.
    await ui.waitFor<Batch>("logs:batch", (b) => mine(b) && lines().length >= before + 3, 10_000);
    const all = lines();
    expect(all[0]).toMatchObject({ message: "first", stream: "stdout" });
    expect(all.find((l) => l.message === "oops")).toMatchObject({ stream: "stderr" });
    const ticks = all.filter((l) => l.message.startsWith("tick")).map((l) => Number(l.message.slice(4)));
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));

    ui.socket.emit("logs:unsubscribe", { subscriptionId });
  });
});

describe("the web terminal", () => {
  test("runs a command and shows its output, survives a resize and bad frames, and ends on exit (audited)", async () => {
    const id = await runContainer(dockerHost, RUN_ID, name("shell"));
    const sessionId = await openTerminal(id);

    frame({ type: "input", data: "echo hello\n" });
    // The TTY echoes the typed command; the output is a line of its own.
    await terminalText(ui, sessionId, /(^|\n)hello\r?\n/);

    frame({ type: "resize", cols: 100, rows: 40 });
    // The resize frame has no answer: ask the TTY its size until it reports the new one (each
    // answer is tagged, so an answer from before the resize cannot be mistaken for it).
    let size = "";
    for (let attempt = 1; size !== "40 100"; attempt++) {
      if (attempt > 20) throw new Error(`the terminal kept its old size (${size})`);
      frame({ type: "input", data: `busybox stty size | sed 's/^/size-${attempt}: /'\n` });
      const answer = new RegExp(`(?:^|\\n)size-${attempt}: (\\d+ \\d+)\\r?\\n`);
      size = answer.exec(await terminalText(ui, sessionId, answer))![1]!;
    }

    // Not JSON, too large, unknown type, wrong field types: ignored, the session survives.
    ui.socket.emit("terminal:frame", "{not json");
    ui.socket.emit("terminal:frame", JSON.stringify({ type: "input", data: "x".repeat(70 * 1024) }));
    frame({ type: "explode" });
    frame({ type: "resize", cols: "wide", rows: -1 });
    ui.socket.emit("terminal:frame", 42 as unknown as string);
    frame({ type: "input", data: "echo still-$((40+2))\n" });
    await terminalText(ui, sessionId, /still-42/);
    expect(server.output()).toContain("ignored an invalid terminal frame");

    frame({ type: "exit" });
    const exit = await ui.waitFor<{ sessionId: string }>("terminal:exit", (p) => p.sessionId === sessionId);
    expect(exit).toMatchObject({ sessionId });

    const audit = await (await admin.request(`/api/v1/audit?action=container.terminal&target=${id}`)).json();
    const actions = audit.items.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(["container.terminal.open:success", "container.terminal.close:success"]));
  });

  test("the session ends when the container stops", async () => {
    const id = await runContainer(dockerHost, RUN_ID, name("going"));
    const sessionId = await openTerminal(id);
    frame({ type: "input", data: "echo ready\n" });
    await terminalText(ui, sessionId, /(^|\n)ready\r?\n/);
    await docker(dockerHost, ["stop", "-t", "1", id]);
    await ui.waitFor<{ sessionId: string }>("terminal:exit", (p) => p.sessionId === sessionId);
  });

  test("a terminal cannot be opened by container name tricks or for an unknown container", async () => {
    expect(await ui.ack("terminal:open", { agentId, containerId: "../../etc" })).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await ui.ack("terminal:open", { agentId, containerId: "0".repeat(64) })).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await ui.ack("terminal:open", { agentId: "00000000-0000-4000-8000-000000000000", containerId: "x" })).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await ui.ack("terminal:open", "garbage")).toMatchObject({ ok: false, error: { code: "validation_failed" } });
  });
});

describe("the live container list", () => {
  test("pushes list changes from Docker events and stats batches with memory", async () => {
    expect(await ui.ack("containers:subscribe", { agentId })).toMatchObject({ ok: true });
    await ui.waitFor("containers:list");
    const from = ui.events.length;
    const id = await runContainer(dockerHost, RUN_ID, name("appears"));
    type List = { items: { id: string; state: string }[] };
    await ui.waitFor<List>("containers:list", (p) => p.items.some((c) => c.id === id && c.state === "running"), 15_000, from);
    const stats = await ui.waitFor<{ items: { id: string; memoryBytes: number }[] }>("containers:stats", (p) => p.items.some((s) => s.id === id), 20_000, from);
    expect(stats.items.find((s) => s.id === id)!.memoryBytes).toBeGreaterThan(0);

    const stopFrom = ui.events.length;
    await docker(dockerHost, ["stop", "-t", "1", id]);
    await ui.waitFor<List>("containers:list", (p) => p.items.some((c) => c.id === id && c.state === "exited"), 15_000, stopFrom);
    ui.socket.emit("containers:unsubscribe", { agentId });
  });
});
