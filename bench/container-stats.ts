// Benchmark: container list with live stats, InfraPilot's sampler vs `docker stats`.
//
//   npx tsx bench/container-stats.ts            (sizes 10 50 100, 30 s windows)
//   BENCH_SIZES=10,100 BENCH_WINDOW_S=20 npx tsx bench/container-stats.ts
//
// With N idle busybox containers it measures
//   - the time to serve the container list with fresh stats through LocalAgent,
//     cold (no sampler running) and warm (sampler running for a viewer), and
//   - the dockerd CPU time (utime+stime from /proc/<pid>/stat) over a window,
//     minus an idle baseline, for: our sampler at a 5 s interval; `docker stats
//     --no-stream` run every 5 s; and persistent stats streams (one per container),
//     the alternative the sampler design rejected.
// It needs the private engine of scripts/docker-test-env.sh (it reads its pid file).
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { cpus } from "node:os";
import { DockerClient } from "#agent/local/docker-client";
import { parseDockerHost } from "#agent/local/docker-host";
import { LocalAgent } from "#agent/local/local-agent";
import { setMaxListeners } from "node:events";
import { docker, ensureTestDocker, removeTestContainers, TEST_IMAGE, TEST_LABEL } from "../tests/setup/docker";

const SIZES = (process.env.BENCH_SIZES ?? "10,50,100").split(",").map(Number);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_S ?? 30) * 1000;
const REFRESH_MS = 5_000;
const RUN_ID = `bench-${process.pid}`;
const CLK_TCK = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime
}

/** containerd and the per-container shims, whose work our requests also cause. */
function runtimePids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
      if (comm === "containerd" || comm.startsWith("containerd-shim")) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

interface CpuWindow {
  dockerd: number;
  runtime: number;
}

async function measureCpu(dockerdPid: number, during: (signal: AbortSignal) => Promise<void>): Promise<CpuWindow> {
  const runtime = runtimePids();
  const sum = () => runtime.reduce((total, pid) => total + (safeCpu(pid) ?? 0), 0);
  const before = { dockerd: cpuSeconds(dockerdPid), runtime: sum() };
  const controller = new AbortController();
  const work = during(controller.signal);
  await sleep(WINDOW_MS);
  controller.abort();
  await work;
  return { dockerd: cpuSeconds(dockerdPid) - before.dockerd, runtime: sum() - before.runtime };
}

function safeCpu(pid: number): number | null {
  try {
    return cpuSeconds(pid);
  } catch {
    return null;
  }
}

function dockerStatsLoop(dockerHost: string) {
  return async (signal: AbortSignal) => {
    while (!signal.aborted) {
      const started = Date.now();
      await new Promise<void>((resolve) => {
        const child = spawn("docker", ["stats", "--no-stream"], { env: { ...process.env, DOCKER_HOST: dockerHost }, stdio: "ignore" });
        child.on("exit", () => resolve());
        child.on("error", () => resolve());
      });
      await sleep(Math.max(0, REFRESH_MS - (Date.now() - started)));
    }
  };
}

type Source = "auto" | "engine";

function samplerLoop(dockerHost: string, statsSource: Source) {
  return async (signal: AbortSignal) => {
    const agent = new LocalAgent({ dockerHost, statsIntervalMs: REFRESH_MS, nginxBin: null, statsSource });
    for await (const _update of agent.subscribeStats(signal)) {
      // only keeps the sampler running until the loop's signal aborts
    }
    await agent.close();
  };
}

function streamsLoop(dockerHost: string, ids: string[]) {
  return async (signal: AbortSignal) => {
    setMaxListeners(0, signal);
    const client = new DockerClient({ address: parseDockerHost(dockerHost) });
    await Promise.all(
      ids.map(async (id) => {
        const stream = await client.statsStream(id, signal).catch(() => null);
        if (!stream) return;
        let pending = "";
        await new Promise<void>((resolve) => {
          stream.on("data", (chunk: Buffer) => {
            pending += chunk.toString();
            const lines = pending.split("\n");
            pending = lines.pop() ?? "";
            for (const line of lines) if (line) JSON.parse(line);
          });
          stream.on("error", () => resolve());
          stream.on("end", () => resolve());
          stream.on("close", () => resolve());
        });
      }),
    );
  };
}

async function listWithStats(agent: LocalAgent): Promise<number> {
  const started = performance.now();
  const [list, stats] = await Promise.all([agent.listContainers({ all: true }), agent.stats()]);
  const byId = new Map(stats.map((s) => [s.id, s]));
  const rows = list.map((c) => ({ ...c, ...byId.get(c.id) }));
  if (rows.filter((r) => r.memoryBytes !== undefined).length < list.filter((c) => c.state === "running").length) {
    throw new Error("stats missing for some running containers");
  }
  return performance.now() - started;
}

async function createContainers(dockerHost: string, from: number, to: number): Promise<void> {
  const indexes = Array.from({ length: to - from }, (_, i) => from + i);
  for (let i = 0; i < indexes.length; i += 8) {
    await Promise.all(
      indexes.slice(i, i + 8).map((n) =>
        docker(dockerHost, ["run", "-d", "--name", `${RUN_ID}-${n}`, "--label", `${TEST_LABEL}=${RUN_ID}`, TEST_IMAGE, "sleep", "100000"]),
      ),
    );
  }
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);

async function main() {
  const dockerHost = await ensureTestDocker();
  const dockerdPid = Number(readFileSync("/tmp/ip-docker/dockerd.pid", "utf8").trim());
  const version = (await docker(dockerHost, ["version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"])).trim();
  console.log(`InfraPilot container-stats benchmark — ${cpus().length} CPUs (${cpus()[0]?.model}), dockerd ${version}`);
  console.log(`window ${WINDOW_MS / 1000} s, refresh ${REFRESH_MS / 1000} s, sizes ${SIZES.join(", ")}\n`);
  const rows: string[] = [];
  let created = 0;
  try {
    for (const size of SIZES) {
      await createContainers(dockerHost, created, size);
      created = size;
      const ids = (await docker(dockerHost, ["ps", "-q", "--no-trunc", "--filter", `label=${TEST_LABEL}=${RUN_ID}`])).split(/\s+/).filter(Boolean);
      await sleep(3_000);

      const latency: Record<Source, { cold: number[]; warm: number[] }> = { auto: { cold: [], warm: [] }, engine: { cold: [], warm: [] } };
      for (const statsSource of ["auto", "engine"] as const) {
        for (let i = 0; i < 3; i++) {
          const agent = new LocalAgent({ dockerHost, nginxBin: null, statsSource });
          latency[statsSource].cold.push(await listWithStats(agent));
          await agent.close();
          await sleep(1_500);
        }
        const agent = new LocalAgent({ dockerHost, statsIntervalMs: REFRESH_MS, nginxBin: null, statsSource });
        // Warm: a live stream keeps the sampler running while the list is measured.
        const warming = new AbortController();
        const stream = agent.subscribeStats(warming.signal)[Symbol.asyncIterator]();
        await stream.next();
        const draining = (async () => {
          while (!(await stream.next()).done);
        })();
        for (let i = 0; i < 5; i++) latency[statsSource].warm.push(await listWithStats(agent));
        warming.abort();
        await draining;
        await agent.close();
      }
      const cliStarted = performance.now();
      await docker(dockerHost, ["stats", "--no-stream"]);
      const cliMs = performance.now() - cliStarted;
      await sleep(2_000);

      const ownCpu = () => process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6;
      const idle = await measureCpu(dockerdPid, async () => undefined);
      const ownBefore = ownCpu();
      const auto = await measureCpu(dockerdPid, samplerLoop(dockerHost, "auto"));
      const ownAuto = ownCpu() - ownBefore;
      const engine = await measureCpu(dockerdPid, samplerLoop(dockerHost, "engine"));
      const cli = await measureCpu(dockerdPid, dockerStatsLoop(dockerHost));
      const streams = await measureCpu(dockerdPid, streamsLoop(dockerHost, ids));
      const added = (w: CpuWindow) => Math.max(0, w.dockerd - idle.dockerd);
      const addedAll = (w: CpuWindow) => Math.max(0, w.dockerd + w.runtime - idle.dockerd - idle.runtime);
      const ratio = (a: number, b: number) => (b > 0 ? fmt(a / b) : "n/a");
      const ms = (values: number[]) => `${fmt(median(values), 0)} ms (max ${fmt(Math.max(...values), 0)})`;
      const line =
        `N=${size}: list+stats through LocalAgent — sampler idle (cold): ${ms(latency.auto.cold)} [engine-only source ${ms(latency.engine.cold)}]; ` +
        `sampler running (warm): ${fmt(median(latency.auto.warm), 1)} ms; docker stats --no-stream: ${fmt(cliMs, 0)} ms\n` +
        `  dockerd CPU added over ${WINDOW_MS / 1000} s (idle baseline ${fmt(idle.dockerd)} s): sampler ${fmt(added(auto))} s, ` +
        `sampler engine-only ${fmt(added(engine))} s, docker stats ${fmt(added(cli))} s, streams ${fmt(added(streams))} s\n` +
        `  ratio vs docker stats: sampler ${ratio(added(auto), added(cli))} (target ≤ 0.25), engine-only ${ratio(added(engine), added(cli))}, ` +
        `streams ${ratio(added(streams), added(cli))}\n` +
        `  with containerd+shims: sampler ${fmt(addedAll(auto))} s, engine-only ${fmt(addedAll(engine))} s, docker stats ${fmt(addedAll(cli))} s, ` +
        `streams ${fmt(addedAll(streams))} s; InfraPilot's own CPU for the sampler: ${fmt(ownAuto)} s`;
      console.log(line);
      rows.push(line);
    }
  } finally {
    await removeTestContainers(dockerHost, RUN_ID);
  }
}

main().catch((error) => {
  process.exitCode = 1;
  console.error(error);
});
