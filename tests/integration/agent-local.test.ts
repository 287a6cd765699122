// LocalAgent against a real Docker engine (scripts/docker-test-env.sh): every
// container here is a busybox container labelled with this run's id and removed
// afterwards. Traffic stays on the host's unix socket.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerNotFoundError, ContainerStateError, DockerUnreachableError } from "#agent/errors";
import { LocalAgent } from "#agent/local/local-agent";
import type { ContainerStats, ExecSession, LogEntry, StatsUpdate } from "#agent/types";
import { docker, ensureTestDocker, removeTestContainers, TEST_IMAGE, TEST_LABEL } from "../setup/docker";

const RUN_ID = `agent-${process.pid}-${Date.now().toString(36)}`;
let dockerHost: string;
let agent: LocalAgent;

beforeAll(async () => {
  dockerHost = await ensureTestDocker();
  agent = new LocalAgent({ dockerHost, statsIntervalMs: 400, nginxBin: null });
});

afterAll(async () => {
  await agent?.close();
  if (dockerHost) await removeTestContainers(dockerHost, RUN_ID);
});

let counter = 0;
/** `docker run -d` (or `create`) a labelled busybox container; resolves with its full id. */
async function container(command: string[], options: { flags?: string[]; create?: boolean } = {}): Promise<string> {
  const name = `${RUN_ID}-${++counter}`;
  const args = [options.create ? "create" : "run", ...(options.create ? [] : ["-d"])];
  args.push("--name", name, "--label", `${TEST_LABEL}=${RUN_ID}`, ...(options.flags ?? []), TEST_IMAGE, ...command);
  return (await docker(dockerHost, args)).trim();
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads the agent's stats stream in the background until `stop()` aborts it. */
function statsBatches(): { batches: ContainerStats[][]; stop: () => void } {
  const batches: ContainerStats[][] = [];
  const controller = new AbortController();
  void (async () => {
    for await (const update of agent.subscribeStats(controller.signal)) if ("stats" in update) batches.push(update.stats);
  })();
  return { batches, stop: () => controller.abort() };
}

async function collectLogs(iterable: AsyncIterable<LogEntry[]>): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  for await (const batch of iterable) entries.push(...batch);
  return entries;
}

async function exited(id: string): Promise<void> {
  await waitFor(`container ${id} to exit`, async () => (await agent.inspectContainer(id)).state.status === "exited");
}

async function readUntil(session: ExecSession, pattern: RegExp, timeoutMs = 5_000): Promise<string> {
  let text = "";
  const iterator = session.output[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(text)) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error(`Timed out waiting for ${pattern} in ${JSON.stringify(text)}`);
    const next = await Promise.race([
      iterator.next(),
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), remaining)),
    ]);
    if (next === "timeout" || next.done) break;
    text += next.value.data;
  }
  if (!pattern.test(text)) throw new Error(`Output ended without ${pattern}: ${JSON.stringify(text)}`);
  return text;
}

describe("LocalAgent against a real Docker engine", () => {
  it("reports the engine's version and that it is reachable", async () => {
    const info = await agent.info();
    expect(info).toMatchObject({ reachable: true, error: null, dockerHost });
    expect(info.dockerVersion).toMatch(/^\d+\.\d+/);
    expect(info.hostname).not.toBe("");
  });

  it("lists containers with their compose project as the stack, and running ones only unless asked for all", async () => {
    const web = await container(["sleep", "1000"], {
      flags: ["--label", "com.docker.compose.project=shop", "--label", "com.docker.compose.service=web"],
    });
    const db = await container(["sleep", "1000"], {
      flags: ["--label", "com.docker.compose.project=shop", "--label", "com.docker.compose.service=db"],
    });
    const lone = await container(["sleep", "1000"]);
    const created = await container(["sleep", "1000"], { create: true });

    const all = (await agent.listContainers({ all: true })).filter((c) => c.labels[TEST_LABEL] === RUN_ID);
    const byId = new Map(all.map((c) => [c.id, c]));
    expect(byId.get(web)).toMatchObject({ stack: "shop", service: "web", state: "running", image: TEST_IMAGE, health: "none" });
    expect(byId.get(web)?.name).toBe(`${RUN_ID}-${counter - 3}`);
    expect(byId.get(web)?.status).toMatch(/^Up /);
    expect(byId.get(web)?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(byId.get(web)?.ports).toEqual([]);
    expect(byId.get(db)).toMatchObject({ stack: "shop", service: "db" });
    expect(byId.get(lone)).toMatchObject({ stack: null, service: null });
    expect(byId.get(created)).toMatchObject({ state: "created" });

    const shop = all.filter((c) => c.stack === "shop").map((c) => c.id);
    expect(shop.sort()).toEqual([web, db].sort());

    const runningIds = (await agent.listContainers()).map((c) => c.id);
    expect(runningIds).toEqual(expect.arrayContaining([web, db, lone]));
    expect(runningIds).not.toContain(created);
  });

  it("inspects a container into its full detail with the immutable id", async () => {
    const id = await container(["sleep", "1000"], {
      flags: ["-e", "API_TOKEN=s3cret", "-e", "EMPTY=", "--restart", "on-failure:3", "--label", "tier=test"],
    });
    const detail = await agent.inspectContainer(id.slice(0, 12));
    expect(detail.id).toBe(id);
    expect(detail.state).toMatchObject({ status: "running", running: true, exitCode: 0 });
    expect(detail.state.startedAt).toMatch(/^\d{4}-/);
    expect(detail.restartPolicy).toEqual({ name: "on-failure", maximumRetryCount: 3 });
    expect(detail.env).toEqual(expect.arrayContaining([{ key: "API_TOKEN", value: "s3cret" }, { key: "EMPTY", value: "" }]));
    expect(detail.config).toMatchObject({ cmd: ["sleep", "1000"], entrypoint: null, tty: false });
    expect(detail.config.labels.tier).toBe("test");
    expect(detail.health).toBeNull();
  });

  it("starts, stops, restarts and removes a container, changing its real state", async () => {
    const id = await container(["sleep", "1000"], { create: true });
    expect((await agent.inspectContainer(id)).state.status).toBe("created");

    await agent.startContainer(id);
    const started = await agent.inspectContainer(id);
    expect(started.state.running).toBe(true);

    await agent.stopContainer(id, { timeoutSeconds: 0 });
    expect((await agent.inspectContainer(id)).state).toMatchObject({ status: "exited", running: false });

    await agent.restartContainer(id, { timeoutSeconds: 0 });
    const restarted = await agent.inspectContainer(id);
    expect(restarted.state.running).toBe(true);
    expect(restarted.state.startedAt).not.toBe(started.state.startedAt);

    await agent.removeContainer(id, { force: true });
    await expect(agent.inspectContainer(id)).rejects.toBeInstanceOf(ContainerNotFoundError);
  });

  it("refuses to remove a running container without force, saying why", async () => {
    const id = await container(["sleep", "1000"]);
    const error = await agent.removeContainer(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerStateError);
    expect((error as Error).message).toMatch(/is running: stop it first or remove it with force/);
  });

  it("reports memory and, from the second sample on, a CPU percentage for running containers", async () => {
    const idle = await container(["sleep", "1000"]);
    const busy = await container(["sh", "-c", "yes > /dev/null"]);
    const { batches, stop: unsubscribe } = statsBatches();
    try {
      await waitFor("two stats batches with both containers", async () =>
        batches.filter((b) => b.some((s) => s.id === busy) && b.some((s) => s.id === idle)).length >= 2,
      );
    } finally {
      unsubscribe();
    }
    const last = batches.at(-1)!;
    const idleStats = last.find((s) => s.id === idle)!;
    const busyStats = last.find((s) => s.id === busy)!;
    expect(idleStats.memoryBytes).toBeGreaterThan(0);
    expect(idleStats.memoryLimitBytes).toBeGreaterThanOrEqual(idleStats.memoryBytes);
    expect(typeof idleStats.cpuPercent).toBe("number");
    expect(busyStats.cpuPercent).toBeGreaterThan(5);
    expect(idleStats.time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await docker(dockerHost, ["rm", "-f", busy]);
  });

  it("shares one sampler between subscribers and stops it when the last one leaves", async () => {
    await container(["sleep", "1000"]);
    const { batches: first, stop: stopFirst } = statsBatches();
    const { batches: second, stop: stopSecond } = statsBatches();
    await waitFor("a batch for both subscribers", async () => first.length >= 2 && second.length >= 2);
    // The very same batch object reaches both: one engine round, not one per viewer.
    expect(second).toContain(first.at(-1));
    stopFirst();
    stopSecond();
    const count = first.length;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(first.length).toBe(count);
  });

  it("reports an unreachable engine in the stats stream as a wire-ready error, and ends the stream when its signal aborts", async () => {
    const offline = new LocalAgent({ dockerHost: "unix:///nonexistent/infrapilot-seam.sock", statsIntervalMs: 100, nginxBin: null });
    const controller = new AbortController();
    const updates: StatsUpdate[] = [];
    const reading = (async () => {
      for await (const update of offline.subscribeStats(controller.signal)) updates.push(update);
    })();
    try {
      await waitFor("the outage in the stream", async () => updates.length >= 1);
      expect(updates[0]).toEqual({ error: expect.objectContaining({ code: "docker_unreachable", address: "unix:///nonexistent/infrapilot-seam.sock" }) });
    } finally {
      controller.abort();
      await reading;
      await offline.close();
    }
  });

  it("keeps sampling containers that start after it began and drops those that stop", async () => {
    const { batches, stop: unsubscribe } = statsBatches();
    try {
      await waitFor("a first batch", async () => batches.length >= 1);
      const late = await container(["sleep", "1000"]);
      await waitFor("the late container in a batch", async () => batches.at(-1)?.some((s) => s.id === late));
      await docker(dockerHost, ["stop", "-t", "0", late]);
      await waitFor("the stopped container gone from the batches", async () => !batches.at(-1)?.some((s) => s.id === late));
    } finally {
      unsubscribe();
    }
  });

  it("samples stats through the engine API as well (agents that cannot read cgroups)", async () => {
    const id = await container(["sleep", "1000"]);
    const engineOnly = new LocalAgent({ dockerHost, statsSource: "engine", nginxBin: null });
    try {
      const [stats] = await engineOnly.stats([id]);
      expect(stats).toMatchObject({ id });
      expect(stats.memoryBytes).toBeGreaterThan(0);
      const [again] = await engineOnly.stats([id]);
      expect(typeof again.cpuPercent).toBe("number");
    } finally {
      await engineOnly.close();
    }
  });

  it("returns the lines a container printed, in order, with stdout and stderr told apart", async () => {
    // The engine copies stdout and stderr on separate pipes, so lines written within
    // microseconds of each other on different streams have no defined order: pace them.
    const id = await container(["sh", "-c", "echo out; sleep 0.1; echo err 1>&2; sleep 0.1; echo 'third line'; printf 'no newline'"]);
    await exited(id);
    const entries = await collectLogs(agent.logs(id, {}));
    expect(entries.map((e) => [e.stream, e.message])).toEqual([
      ["stdout", "out"],
      ["stderr", "err"],
      ["stdout", "third line"],
      ["stdout", "no newline"],
    ]);
    for (const entry of entries) expect(entry.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const times = entries.map((e) => Date.parse(e.time!));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const last = await collectLogs(agent.logs(id, { tail: 1, timestamps: false }));
    expect(last).toEqual([{ time: null, stream: "stdout", message: "no newline" }]);
    const stderrOnly = await collectLogs(agent.logs(id, { stdout: false }));
    expect(stderrOnly.map((e) => e.message)).toEqual(["err"]);
  });

  it("reassembles a line longer than the logging driver's 16 KiB message limit", async () => {
    const id = await container(["sh", "-c", "printf '%040000d\\n' 7; echo after"]);
    await exited(id);
    const entries = await collectLogs(agent.logs(id, {}));
    expect(entries).toHaveLength(2);
    expect(entries[0].message).toHaveLength(40_000);
    expect(entries[0].message.endsWith("7")).toBe(true);
    expect(entries[1].message).toBe("after");
  });

  it("reads the unframed logs of a TTY container without carriage returns", async () => {
    const id = await container(["sh", "-c", "echo first; echo second 1>&2"], { flags: ["-t"] });
    await exited(id);
    const entries = await collectLogs(agent.logs(id, {}));
    expect(entries.map((e) => [e.stream, e.message])).toEqual([
      ["stdout", "first"],
      ["stdout", "second"],
    ]);
  });

  it("follows new lines as they are printed and stops when the signal aborts", async () => {
    const id = await container(["sh", "-c", "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done"]);
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const batch of agent.logs(id, { follow: true, tail: 0 }, controller.signal)) {
        seen.push(...batch.map((e) => e.message));
        if (seen.length >= 3) controller.abort();
      }
    })();
    await expect(following).resolves.toBeUndefined();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    const numbers = seen.map((line) => Number(/^line (\d+)$/.exec(line)?.[1]));
    expect(numbers.every((n, i) => i === 0 || n === numbers[i - 1] + 1)).toBe(true);
  });

  it("streams container events while the signal is not aborted", async () => {
    const controller = new AbortController();
    const iterator = agent.events(controller.signal)[Symbol.asyncIterator]();
    const firstEvent = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const id = await container(["sleep", "1000"]);
    const events = [];
    let next = await firstEvent;
    while (!next.done) {
      events.push(next.value);
      if (next.value.id === id && next.value.action === "start") break;
      next = await iterator.next();
    }
    const start = events.find((e) => e.id === id && e.action === "start");
    expect(start).toMatchObject({ name: `${RUN_ID}-${counter}`, image: TEST_IMAGE });
    controller.abort();
    await expect(iterator.next()).resolves.toMatchObject({ done: true });
  });

  it("runs an interactive TTY shell that echoes a command's output and survives a resize", async () => {
    const id = await container(["sleep", "1000"]);
    const session = await agent.exec(id.slice(0, 12), { cmd: ["sh"], tty: true, cols: 80, rows: 24 });
    expect(session.containerId).toBe(id);
    await session.write("echo hello\n");
    await readUntil(session, /\r?\nhello\r?\n/);
    await session.resize(132, 43);
    await session.write("echo still-$((40+2))\n");
    await readUntil(session, /still-42/);
    await session.write("exit 7\n");
    await expect(session.exit).resolves.toEqual({ exitCode: 7 });
  });

  it("runs a non-TTY command with separate stdout and stderr and its exit code", async () => {
    const id = await container(["sleep", "1000"]);
    const session = await agent.exec(id, { cmd: ["sh", "-c", "echo out; echo err 1>&2; exit 3"] });
    const output: Record<string, string> = { stdout: "", stderr: "" };
    for await (const chunk of session.output) output[chunk.stream] += chunk.data;
    expect(output).toEqual({ stdout: "out\n", stderr: "err\n" });
    await expect(session.exit).resolves.toEqual({ exitCode: 3 });
  });

  it("answers an unknown container id with ContainerNotFoundError for every operation", async () => {
    const unknown = "infrapilot-no-such-container";
    await expect(agent.inspectContainer(unknown)).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(agent.startContainer(unknown)).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(agent.stopContainer(unknown)).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(agent.restartContainer(unknown)).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(agent.removeContainer(unknown, { force: true })).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(collectLogs(agent.logs(unknown, {}))).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(agent.exec(unknown, { cmd: ["sh"] })).rejects.toBeInstanceOf(ContainerNotFoundError);
    await expect(agent.stats([unknown])).resolves.toEqual([]);
  });

  it("says clearly that a stopped container cannot be stopped again and a running one not started again", async () => {
    const id = await container(["sleep", "1000"]);
    await expect(agent.startContainer(id)).rejects.toThrow(new ContainerStateError(id, `Container ${id} is already running`));
    await agent.stopContainer(id, { timeoutSeconds: 0 });
    const error = await agent.stopContainer(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerStateError);
    expect((error as Error).message).toBe(`Container ${id} is not running`);
  });

  it("refuses to exec into a stopped container with a clear message", async () => {
    const id = await container(["true"], { create: true });
    const error = await agent.exec(id, { cmd: ["sh"], tty: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerStateError);
    expect((error as Error).message).toBe(`Cannot open a terminal: container ${id} is created, not running`);
  });

  it("reports an unreachable engine with its address, and info() says so without throwing", async () => {
    const address = `unix:///tmp/${RUN_ID}-missing/docker.sock`;
    const offline = new LocalAgent({ dockerHost: address, nginxBin: null });
    const error = await offline.listContainers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerUnreachableError);
    expect((error as Error).message).toMatch(new RegExp(`^Docker engine not reachable at ${address}: `));
    await expect(collectLogs(offline.logs("x", {}))).rejects.toBeInstanceOf(DockerUnreachableError);
    const info = await offline.info();
    expect(info).toMatchObject({ reachable: false, dockerHost: address, dockerVersion: null });
    expect(info.error).toContain(address);

    const refused = new LocalAgent({ dockerHost: "tcp://127.0.0.1:1", nginxBin: null });
    await expect(refused.listContainers()).rejects.toThrow(/^Docker engine not reachable at tcp:\/\/127\.0\.0\.1:1: connection refused/);
  });
});
