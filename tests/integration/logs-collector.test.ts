// The collector against a real Docker engine: busybox containers print known lines on stdout and
// stderr; they land in the store in order with their sources and levels, and a collector started
// again resumes where the store ends without repeating or losing lines.
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { randomUUID } from "node:crypto";
import { LocalAgent } from "#agent/local/local-agent";
import { setupTestDb, type TestDb } from "../setup/db";
import { removeTestContainers } from "../setup/docker";
import { runContainer } from "../setup/containers";
import { withOrg } from "~/server/db/client.server";
import { startLogCollector, type LogCollector } from "~/server/logs/log-collector.server";
import { queryLogPage, type StoredLogLine } from "~/server/logs/log-query.server";
import { hubStats, subscribeLive } from "~/server/logs/live-hub.server";
import type { LogLine } from "~/server/logs/log-line";
import type { Agent, LogOptions } from "#agent/types";

const dockerHost = inject("dockerHost");
const runId = `logs-collector-${randomUUID().slice(0, 8)}`;
const orgId = randomUUID();
const agentId = randomUUID();
let db: TestDb;
let agent: LocalAgent;
let collector: LogCollector | undefined;

async function linesOf(containerId: string): Promise<StoredLogLine[]> {
  const page = await queryLogPage(orgId, { containerId: [containerId] }, { limit: 500 });
  return page.items.reverse();
}

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await fn();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met in time; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
    value = await fn();
  }
  return value;
}

beforeAll(async () => {
  db = await setupTestDb();
  await withOrg(orgId, (tx) => tx.organization.create({ data: { id: orgId, name: "Logs", slug: `logs-${orgId.slice(0, 8)}` } }));
  agent = new LocalAgent({ dockerHost, nginxBin: null });
});

afterAll(async () => {
  await collector?.stop();
  await removeTestContainers(dockerHost, runId).catch(() => {});
  await agent?.close();
  await db?.close();
});

describe("log collector", () => {
  test("lines of running and newly started containers land in order with stream, source and level; a restart resumes without repeats", async () => {
    // One container runs before the collector starts, one starts while it runs.
    const script = (name: string) =>
      `echo "${name} one"; echo "ERROR: ${name} two" >&2; echo '{"level":"warn","msg":"${name} three"}'; sleep 3; echo "${name} four"; echo "${name} five" >&2; trap 'exit 0' TERM; while true; do sleep 1; done`;
    const early = await runContainer(dockerHost, runId, `${runId}-early`, ["sh", "-c", script("early")]);
    collector = startLogCollector(agent, { orgId, agentId });
    const late = await runContainer(dockerHost, runId, `${runId}-late`, ["sh", "-c", script("late")]);

    for (const [id, name] of [[early, "early"], [late, "late"]] as const) {
      const lines = await waitFor(() => linesOf(id), (l) => l.length >= 5);
      // Docker stamps stdout and stderr as it reads each pipe, so across the two streams only the
      // timestamps order lines; within a stream the order is the program's.
      const expected = [
        ["stdout", "unknown", `${name} one`],
        ["stderr", "error", `ERROR: ${name} two`],
        ["stdout", "warn", `{"level":"warn","msg":"${name} three"}`],
        ["stdout", "unknown", `${name} four`],
        ["stderr", "unknown", `${name} five`],
      ];
      const got = lines.map((l) => [l.stream, l.level, l.message]);
      expect(got).toHaveLength(5);
      for (const stream of ["stdout", "stderr"]) expect(got.filter((l) => l[0] === stream)).toEqual(expected.filter((l) => l[0] === stream));
      expect(lines[0]!.source).toEqual({ agentId, containerId: id, containerName: `${runId}-${name}` });
      const times = lines.map((l) => l.time);
      expect([...times].sort()).toEqual(times);
    }

    // Stop the collector, let a container print more, start a new collector: it picks up exactly
    // the new lines (the resume point is the newest stored line of each container).
    await collector.stop();
    const resumed = await runContainer(dockerHost, runId, `${runId}-resume`, ["sh", "-c", "for i in 1 2 3; do echo \"r$i\"; done; sleep 2; for i in 4 5 6; do echo \"r$i\"; done; trap 'exit 0' TERM; while true; do sleep 1; done"]);
    collector = startLogCollector(agent, { orgId, agentId });
    await waitFor(() => linesOf(resumed), (l) => l.length >= 3);
    await collector.stop();
    await new Promise((r) => setTimeout(r, 2_500));
    collector = startLogCollector(agent, { orgId, agentId });
    // Lines are stored in order: once the last one is in, a re-read of r1–r3 would be in too.
    const all = await waitFor(() => linesOf(resumed), (l) => l.some((x) => x.message === "r6"));
    expect(all.map((l) => l.message)).toEqual(["r1", "r2", "r3", "r4", "r5", "r6"]);
    // The first containers were not ingested twice either.
    expect(await linesOf(early)).toHaveLength(5);
    expect(collector.following()).toEqual(expect.arrayContaining([early, late, resumed]));
  });
});

/** The agent as the hub and the collector see it, counting the Docker log follows it opens. */
function countingAgent(inner: Agent) {
  const counts = { opened: new Map<string, number>(), open: new Map<string, number>() };
  const bump = (map: Map<string, number>, id: string, by: number) => map.set(id, (map.get(id) ?? 0) + by);
  const agent = new Proxy(inner, {
    get(target, prop) {
      if (prop === "logs") {
        return (id: string, options: LogOptions, signal?: AbortSignal) => {
          if (!options.follow) return target.logs(id, options, signal);
          return (async function* () {
            bump(counts.opened, id, 1);
            bump(counts.open, id, 1);
            try {
              yield* target.logs(id, options, signal);
            } finally {
              bump(counts.open, id, -1);
            }
          })();
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { agent, counts };
}

describe("one Docker follow per container for viewers and persistence", () => {
  test("a persisted container watched by 3 viewers is read by exactly one Docker log stream; it stays while persistence needs it", async () => {
    await collector?.stop();
    collector = undefined;
    const { agent: counted, counts } = countingAgent(agent);
    const id = await runContainer(dockerHost, runId, `${runId}-shared`, ["sh", "-c", "trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo shared$i; sleep 0.05; done"]);
    collector = startLogCollector(counted, { orgId, agentId });
    await waitFor(async () => counts.open.get(id) ?? 0, (n) => n === 1);

    const source = { agentId, containerId: id, containerName: `${runId}-shared` };
    const seen: LogLine[][] = [[], [], []];
    const leave = seen.map((lines) => subscribeLive(counted, source, { lines: (l) => lines.push(...l), end: () => {} }));
    await waitFor(async () => seen.map((l) => l.length), (n) => n.every((c) => c >= 10));
    const key = `${agentId}:${id}`;
    expect(hubStats().byContainer[key]).toBe(3);
    expect(hubStats().keptBy[key]).toBe(1);
    // One follow opened for this container, ever, and it is the one open now.
    expect(counts.opened.get(id)).toBe(1);
    expect(counts.open.get(id)).toBe(1);
    // The viewers see the same lines, and they are the ones stored.
    const last = seen[0]!.at(-1)!.message;
    expect(seen[1]!.map((l) => l.message)).toContain(last);
    expect(seen[2]!.map((l) => l.message)).toContain(last);
    const stored = await waitFor(() => queryLogPage(orgId, { containerId: [id] }, { limit: 1000 }), (p) => p.items.some((l) => l.message === last));
    const storedMessages = new Set(stored.items.map((l) => l.message));
    const lastNumber = Number(last.slice(6));
    expect(seen[0]!.filter((l) => Number(l.message.slice(6)) <= lastNumber && !storedMessages.has(l.message))).toEqual([]);

    // The viewers leave: persistence still needs the follow, so it stays (the same one).
    for (const stop of leave) stop();
    expect(hubStats().byContainer[key]).toBeUndefined();
    const before = (await queryLogPage(orgId, { containerId: [id] }, { limit: 1 })).items[0]!.message;
    await waitFor(() => queryLogPage(orgId, { containerId: [id] }, { limit: 1 }), (p) => p.items[0]!.message !== before);
    expect(counts.opened.get(id)).toBe(1);
    expect(counts.open.get(id)).toBe(1);

    // Stored lines have no gaps and no repeats: shared1, shared2, ... in order.
    const all = (await queryLogPage(orgId, { containerId: [id] }, { limit: 5000 })).items.reverse().map((l) => Number(l.message.slice(6)));
    expect(all).toEqual(all.map((_, i) => i + 1));

    // Persistence stops too: the follow ends.
    await collector.stop();
    collector = undefined;
    await waitFor(async () => counts.open.get(id) ?? 0, (n) => n === 0);
    expect(hubStats().keptBy[key]).toBeUndefined();
  });

  test("a follow a viewer started is restarted from the resume point when persistence joins; the viewer sees no repeats", async () => {
    const { agent: counted, counts } = countingAgent(agent);
    const id = await runContainer(dockerHost, runId, `${runId}-late-keeper`, ["sh", "-c", "trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo late$i; sleep 0.05; done"]);
    const source = { agentId, containerId: id, containerName: `${runId}-late-keeper` };
    const seen: LogLine[] = [];
    const stop = subscribeLive(counted, source, { lines: (l) => seen.push(...l), end: () => {} });
    await waitFor(async () => seen.length, (n) => n >= 10);
    collector = startLogCollector(counted, { orgId, agentId });
    // Persistence starts from before the viewer's follow: everything the container printed is stored.
    const target = seen.at(-1)!.message;
    const stored = await waitFor(() => queryLogPage(orgId, { containerId: [id] }, { limit: 5000 }), (p) => p.items.some((l) => l.message === target));
    const numbers = stored.items.reverse().map((l) => Number(l.message.slice(4)));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    await waitFor(async () => seen.length, (n) => n >= 40);
    // The viewer's stream: consecutive, no repeats across the restart.
    const mine = seen.map((l) => Number(l.message.slice(4)));
    expect(mine).toEqual(mine.map((_, i) => mine[0]! + i));
    stop();
    // One follow open (the restarted one, shared); the viewer's first one is closed.
    await waitFor(async () => counts.open.get(id) ?? 0, (n) => n === 1);
    expect(counts.opened.get(id)).toBe(2);
    await collector.stop();
    collector = undefined;
    await waitFor(async () => counts.open.get(id) ?? 0, (n) => n === 0);
  });
});
