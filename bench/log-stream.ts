// Benchmark: live log streaming over /ui vs `docker logs -f`, on the production build.
//
//   npx tsx bench/log-stream.ts                      (windows of 10 s)
//   BENCH_WINDOW_S=5 BENCH_SUBSCRIBERS=1,10 npx tsx bench/log-stream.ts
//
// Needs `npm run build`, the test Docker engine (scripts/docker-test-env.sh) and a PostgreSQL
// superuser (TEST_DATABASE_URL, or the embedded one tests/setup/postgres.ts starts).
//
// 1. Flat out: one busybox container prints 120-byte lines as fast as it can (`yes`); N
//    socket.io-client subscribers (`logs:stream`) and one `docker logs -f <id>` (its stdout
//    counted, as cheap as `> /dev/null`) read it in the same window. Lines/s per subscriber vs
//    docker logs -f; server CPU (utime+stime of its pid) per window.
// 2. Paced at ~10k lines/s: server CPU with 10 subscribers vs 1, and the end-to-end lag of every
//    line (receive time − Docker's timestamp of the line; same host clock), p50/p99.
// The server runs with LOGS_PERSIST=false so the numbers are the live path's alone.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, totalmem, tmpdir } from "node:os";
import { join } from "node:path";
import { io, type Socket } from "socket.io-client";
import { docker, ensureTestDocker, removeTestContainers, TEST_IMAGE, TEST_LABEL } from "../tests/setup/docker";
import { createTestDatabase, freePort, startTestPostgres } from "../tests/setup/postgres";

const WINDOW_MS = Number(process.env.BENCH_WINDOW_S ?? 10) * 1000;
const SUBSCRIBERS = (process.env.BENCH_SUBSCRIBERS ?? "1,10,50").split(",").map(Number);
const RUN_ID = `bench-ls-${process.pid}`;
const CLK_TCK = 100;
// 119 characters + newline = 120 bytes per line.
const LINE = "x".repeat(10) + " the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs; sphinx of black quartz".padEnd(109, ".");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Server {
  url: string;
  pid: number;
  cookie: string;
  agentId: string;
  child: ChildProcess;
}

async function startServer(dockerHost: string, databaseUrl: string, dataDir: string): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(import.meta.dirname, "..", "build", "server.js")], {
    cwd: join(import.meta.dirname, ".."),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", PUBLIC_URL: url, DATA_DIR: dataDir, LOG_LEVEL: "warn", DATABASE_URL: databaseUrl, DOCKER_HOST: dockerHost, LOGS_PERSIST: "false" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("the server did not become ready");
    const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    await sleep(100);
  }
  const admin = { email: "bench@example.com", name: "Bench", password: "correct horse battery staple" };
  const setup = await fetch(`${url}/api/v1/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(admin) });
  if (setup.status !== 201) throw new Error(`setup: ${setup.status}`);
  const login = await fetch(`${url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: admin.email, password: admin.password }) });
  const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const agents = (await (await fetch(`${url}/api/v1/agents`, { headers: { cookie } })).json()) as { items: { id: string; name: string }[] };
  return { url, pid: child.pid!, cookie, agentId: agents.items.find((a) => a.name === "local")!.id, child };
}

interface Subscriber {
  socket: Socket;
  lines: number;
  skipped: number;
  lags: number[] | null;
}

async function subscribe(server: Server, containerId: string, recordLag: boolean): Promise<Subscriber> {
  const socket = io(`${server.url}/ui`, { transports: ["websocket"], extraHeaders: { cookie: server.cookie, origin: server.url }, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("hello", () => resolve());
    socket.once("connect_error", reject);
  });
  const sub: Subscriber = { socket, lines: 0, skipped: 0, lags: recordLag ? [] : null };
  socket.on("logs:stream:batch", (p: { items: { time: string }[]; skipped?: number }) => {
    sub.lines += p.items.length;
    sub.skipped += p.skipped ?? 0;
    if (sub.lags) {
      const now = Date.now();
      for (const l of p.items) sub.lags.push(now - Date.parse(l.time));
    }
  });
  const answer = (await socket.timeout(15_000).emitWithAck("logs:stream", { agentId: server.agentId, containerIds: [containerId] })) as { ok: boolean };
  if (!answer.ok) throw new Error(`subscribe: ${JSON.stringify(answer)}`);
  return sub;
}

/** `docker logs -f` of the container from now on, its output counted in lines. */
function dockerLogsFollow(dockerHost: string, id: string) {
  const child = spawn("docker", ["logs", "-f", "--since", "0s", id], { env: { ...process.env, DOCKER_HOST: dockerHost }, stdio: ["ignore", "pipe", "ignore"] });
  const counter = { lines: 0 };
  child.stdout!.on("data", (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) counter.lines++;
  });
  return { counter, stop: () => child.kill("SIGTERM") };
}

let counter = 0;
async function flood(dockerHost: string, script: string): Promise<string> {
  const name = `${RUN_ID}-${++counter}`;
  // Bounded json-file logs: the flat-out producer writes hundreds of MB per window otherwise.
  return (await docker(dockerHost, ["run", "-d", "--name", name, "--label", `${TEST_LABEL}=${RUN_ID}`, "--log-opt", "max-size=20m", "--log-opt", "max-file=2", "-e", `L=${LINE}`, TEST_IMAGE, "sh", "-c", script])).trim();
}

async function flatOut(dockerHost: string, server: Server, n: number) {
  const id = await flood(dockerHost, 'trap "exit 0" TERM; sleep 2; yes "$L"');
  const subs = await Promise.all(Array.from({ length: n }, () => subscribe(server, id, false)));
  const baseline = dockerLogsFollow(dockerHost, id);
  await sleep(3_000); // past the sleep and the start-up of the stream
  const start = { at: Date.now(), cpu: cpuSeconds(server.pid), subs: subs.map((s) => s.lines + s.skipped), docker: baseline.counter.lines };
  await sleep(WINDOW_MS);
  const seconds = (Date.now() - start.at) / 1000;
  const cpu = cpuSeconds(server.pid) - start.cpu;
  const perSub = subs.map((s, i) => (s.lines + s.skipped - start.subs[i]!) / seconds);
  const dockerRate = (baseline.counter.lines - start.docker) / seconds;
  const skipped = subs.reduce((t, s) => t + s.skipped, 0);
  baseline.stop();
  for (const s of subs) s.socket.close();
  await docker(dockerHost, ["rm", "-f", id]);
  const mean = perSub.reduce((a, b) => a + b, 0) / perSub.length;
  return { n, mean, min: Math.min(...perSub), dockerRate, cpu, cpuPerSecond: cpu / seconds, skipped };
}

async function paced(dockerHost: string, server: Server, n: number) {
  // Bursts of 1000 lines every ~100 ms: about 10k lines/s.
  const id = await flood(dockerHost, 'trap "exit 0" TERM; sleep 2; while true; do yes "$L" | head -n 1000; sleep 0.1; done');
  const subs = await Promise.all(Array.from({ length: n }, () => subscribe(server, id, true)));
  await sleep(3_000);
  for (const s of subs) s.lags = [];
  const start = { at: Date.now(), cpu: cpuSeconds(server.pid), lines: subs.map((s) => s.lines) };
  await sleep(WINDOW_MS);
  const seconds = (Date.now() - start.at) / 1000;
  const cpu = cpuSeconds(server.pid) - start.cpu;
  const rate = (subs[0]!.lines - start.lines[0]!) / seconds;
  const lags = subs.flatMap((s) => s.lags!).sort((a, b) => a - b);
  const skipped = subs.reduce((t, s) => t + s.skipped, 0);
  for (const s of subs) s.socket.close();
  await docker(dockerHost, ["rm", "-f", id]);
  return { n, rate, cpu, cpuPerSecond: cpu / seconds, p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags.at(-1) ?? NaN, skipped };
}

async function main() {
  console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}; window ${WINDOW_MS / 1000} s`);
  const dockerHost = await ensureTestDocker();
  const postgres = await startTestPostgres();
  const dataDir = mkdtempSync(join(tmpdir(), "bench-log-stream-"));
  let server: Server | undefined;
  const cleanup = async () => {
    server?.child.kill("SIGTERM");
    await removeTestContainers(dockerHost, RUN_ID).catch(() => {});
    await postgres.stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    server = await startServer(dockerHost, await createTestDatabase(postgres.url, "ip_bench"), dataDir);
    console.log("\n1. flat out (120-byte lines, `yes`): lines/s per subscriber vs docker logs -f in the same window");
    console.log("| subscribers | lines/s per subscriber (mean / min, incl. skipped) | docker logs -f lines/s | ratio (mean) | skipped | server CPU s/s |");
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
    const flat = [];
    for (const n of SUBSCRIBERS) {
      const r = await flatOut(dockerHost, server, n);
      flat.push(r);
      console.log(`| ${n} | ${Math.round(r.mean).toLocaleString("en")} / ${Math.round(r.min).toLocaleString("en")} | ${Math.round(r.dockerRate).toLocaleString("en")} | ${(r.mean / r.dockerRate).toFixed(2)}× | ${r.skipped.toLocaleString("en")} | ${r.cpuPerSecond.toFixed(2)} |`);
    }
    console.log("\n2. paced (~10k lines/s): server CPU and end-to-end lag (receive − Docker timestamp)");
    console.log("| subscribers | lines/s | server CPU s/s | lag p50 ms | lag p99 ms | max ms | skipped |");
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    const pacedRuns = [];
    for (const n of [1, 10]) {
      const r = await paced(dockerHost, server, n);
      pacedRuns.push(r);
      console.log(`| ${n} | ${Math.round(r.rate).toLocaleString("en")} | ${r.cpuPerSecond.toFixed(3)} | ${r.p50} | ${r.p99} | ${r.max} | ${r.skipped} |`);
    }
    const one = flat.find((r) => r.n === 1);
    const cpuRatio = pacedRuns[1]!.cpu / pacedRuns[0]!.cpu;
    console.log("\ntargets:");
    if (one) console.log(`- 1 subscriber ≥ 0.5× docker logs -f: ${(one.mean / one.dockerRate).toFixed(2)}× → ${one.mean / one.dockerRate >= 0.5 ? "met" : "MISSED"}`);
    console.log(`- 10 subscribers ≤ 3× the server CPU of 1 (paced): ${cpuRatio.toFixed(2)}× → ${cpuRatio <= 3 ? "met" : "MISSED"}`);
    console.log(`- p99 lag < 1 s at ~10k lines/s: ${pacedRuns[0]!.p99} ms (1 sub), ${pacedRuns[1]!.p99} ms (10 subs) → ${Math.max(pacedRuns[0]!.p99, pacedRuns[1]!.p99) < 1000 ? "met" : "MISSED"}`);
  } finally {
    await cleanup();
  }
}

await main();
