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
    const all = await waitFor(() => linesOf(resumed), (l) => l.length >= 6);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await linesOf(resumed)).map((l) => l.message)).toEqual(["r1", "r2", "r3", "r4", "r5", "r6"]);
    expect(all).toHaveLength(6);
    // The first containers were not ingested twice either.
    expect(await linesOf(early)).toHaveLength(5);
    expect(collector.following()).toEqual(expect.arrayContaining([early, late, resumed]));
  });
});
