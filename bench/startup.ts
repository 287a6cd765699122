// Startup benchmark (issue 2, "Performance"): how long `npm start` takes to serve /readyz on a
// fresh data directory and on a restart, and how much memory the idle server holds.
//
//   npm run build && npx tsx bench/startup.ts [--runs 3] [--idle 15] [--check]
//
// Each run spawns the production server the way scripts/start.mjs does (node build/server.js,
// NODE_ENV=production) with no DATABASE_URL, so it starts its embedded PostgreSQL in
// a new temporary DATA_DIR; the time is from spawn to the first 200 on /readyz. The same
// directory is then started again ("restart"). Idle memory is read from /proc/<pid>/status
// (VmRSS) and /proc/<pid>/smaps_rollup (Pss) for the server and every process below it
// (embedded PostgreSQL and its backends) after --idle seconds. The default, 15 s, is after the
// start-up jobs (5 s after start) have run and their idle connections closed (5 s idle timeout):
// idle means the server has finished starting. `--idle 5` shows it mid-way through that work.
// A bare node:http server measured the same way is the baseline.
// --check exits 1 when a target is missed; by default the numbers are only reported.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    idle: { type: "string", default: "15" },
    check: { type: "boolean", default: false },
  },
});
const RUNS = Number(args.runs);
const IDLE_MS = Number(args.idle) * 1000;
const READY_TIMEOUT_MS = 60_000;
const MB = 1024 * 1024;

const TARGETS = { freshMs: 10_000, restartMs: 5_000, idleRssBytes: 200 * MB };

// ------------------------------------------------------------------ processes and memory

const running = new Set<ChildProcess>();
function killAll() {
  for (const child of running) child.kill("SIGKILL");
}
process.on("SIGINT", () => {
  killAll();
  process.exit(130);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Every process below `pid` (children, grandchildren…), read from /proc/<pid>/stat. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone while we looked
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of parents.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function kib(text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return match ? Number(match[1]) * 1024 : 0;
}

interface Memory {
  serverRss: number;
  totalRss: number;
  /** Proportional set size: shared pages (PostgreSQL's shared buffers, the node binary) split among their users. */
  serverPss: number;
  totalPss: number;
  processes: number;
  /** RSS by program name (/proc/<pid>/comm): postgres, esbuild… */
  byProgram: Record<string, { rss: number; count: number }>;
}

function memoryOfTree(pid: number): Memory {
  const read = (p: number, file: string) => {
    try {
      return readFileSync(`/proc/${p}/${file}`, "utf8");
    } catch {
      return "";
    }
  };
  const below = descendants(pid);
  const tree = [pid, ...below];
  const byProgram: Memory["byProgram"] = {};
  for (const p of below) {
    const name = read(p, "comm").trim() || "?";
    byProgram[name] ??= { rss: 0, count: 0 };
    byProgram[name].rss += kib(read(p, "status"), "VmRSS");
    byProgram[name].count++;
  }
  return {
    serverRss: kib(read(pid, "status"), "VmRSS"),
    totalRss: tree.reduce((sum, p) => sum + kib(read(p, "status"), "VmRSS"), 0),
    serverPss: kib(read(pid, "smaps_rollup"), "Pss"),
    totalPss: tree.reduce((sum, p) => sum + kib(read(p, "smaps_rollup"), "Pss"), 0),
    processes: tree.length,
    byProgram,
  };
}

interface Started {
  child: ChildProcess;
  port: number;
  readyMs: number;
  output: () => string;
  stop(): Promise<number | null>;
}

async function startAndTime(command: string[], env: Record<string, string>, path: string): Promise<Started> {
  const port = await freePort();
  let output = "";
  const t0 = performance.now();
  const child = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", PORT: String(port), ...env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.stdout!.on("data", (d) => (output = (output + d).slice(-8000)));
  child.stderr!.on("data", (d) => (output = (output + d).slice(-8000)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => (running.delete(child), resolve(code))));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  while (performance.now() - t0 < READY_TIMEOUT_MS) {
    if (child.exitCode !== null) throw new Error(`${command.join(" ")} exited with ${child.exitCode} before it was ready:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      await res.arrayBuffer();
      if (res.status === 200) return { child, port, readyMs: performance.now() - t0, output: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  await stop();
  throw new Error(`${command.join(" ")} was not ready within ${READY_TIMEOUT_MS} ms:\n${output}`);
}

async function idleMemory(started: Started): Promise<Memory> {
  await new Promise((r) => setTimeout(r, IDLE_MS));
  return memoryOfTree(started.child.pid!);
}

// ------------------------------------------------------------------ the runs

function infrapilot(dataDir: string) {
  return startAndTime(
    [process.execPath, "--enable-source-maps", join(ROOT, "build", "server.js")],
    { NODE_ENV: "production", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn" },
    "/readyz",
  );
}

function baseline() {
  return startAndTime(
    [process.execPath, "-e", "require('http').createServer((q,s)=>s.end('ok')).listen(+process.env.PORT,'127.0.0.1')"],
    {},
    "/",
  );
}

interface Sample {
  readyMs: number;
  memory: Memory;
}

async function measure(start: () => Promise<Started>, label: string): Promise<Sample> {
  const started = await start();
  try {
    const memory = await idleMemory(started);
    process.stderr.write(`  ${label}: ready in ${started.readyMs.toFixed(0)} ms, idle RSS ${(memory.totalRss / MB).toFixed(1)} MB (${memory.processes} processes)\n`);
    return { readyMs: started.readyMs, memory };
  } finally {
    const code = await started.stop();
    if (code !== 0 && code !== null) process.stderr.write(`  ${label}: exited with ${code}\n${started.output()}\n`);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function machine() {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? "unknown";
  return {
    date: new Date().toISOString(),
    cpus: availableParallelism(),
    cpu,
    ramGiB: (totalmem() / 1024 ** 3).toFixed(1),
    node: process.version,
    uid: process.getuid?.() ?? -1,
  };
}

async function main() {
  if (!existsSync(join(ROOT, "build", "server", "index.js"))) {
    console.error("No production build: run `npm run build` first.");
    process.exit(1);
  }
  const facts = machine();
  process.stderr.write(`startup benchmark: ${RUNS} runs, idle memory read ${IDLE_MS / 1000} s after ready\n`);

  const fresh: Sample[] = [];
  const restart: Sample[] = [];
  const bare: Sample[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const dataDir = mkdtempSync(join(tmpdir(), "infrapilot-bench-"));
    try {
      fresh.push(await measure(() => infrapilot(dataDir), `run ${run} fresh`));
      restart.push(await measure(() => infrapilot(dataDir), `run ${run} restart`));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    bare.push(await measure(baseline, `run ${run} bare node:http`));
  }

  const ms = (v: number) => `${(v / 1000).toFixed(2)} s`;
  const mb = (v: number) => `${(v / MB).toFixed(1)} MB`;
  const pass = (ok: boolean) => (ok ? "pass" : "FAIL");
  const all = [...fresh, ...restart];
  const m = {
    fresh: median(fresh.map((s) => s.readyMs)),
    restart: median(restart.map((s) => s.readyMs)),
    serverRss: median(all.map((s) => s.memory.serverRss)),
    totalRss: median(all.map((s) => s.memory.totalRss)),
    totalPss: median(all.map((s) => s.memory.totalPss)),
    processes: median(all.map((s) => s.memory.processes)),
    bareReady: median(bare.map((s) => s.readyMs)),
    bareRss: median(bare.map((s) => s.memory.serverRss)),
    barePss: median(bare.map((s) => s.memory.serverPss)),
  };
  const programs = [...new Set(all.flatMap((s) => Object.keys(s.memory.byProgram)))].sort();
  const results = {
    fresh: m.fresh < TARGETS.freshMs,
    restart: m.restart < TARGETS.restartMs,
    rss: m.totalRss < TARGETS.idleRssBytes,
  };
  const runs = (samples: Sample[], f: (s: Sample) => number, fmt: (v: number) => string) => samples.map((s) => fmt(f(s))).join(", ");

  const rows = [
    ["measure", `median of ${RUNS}`, "runs", "target", "result", "bare node:http", "ratio"],
    ["time to first 200 on /readyz, fresh DATA_DIR", ms(m.fresh), runs(fresh, (s) => s.readyMs, ms), "< 10 s", pass(results.fresh), ms(m.bareReady), `${(m.fresh / m.bareReady).toFixed(1)}×`],
    ["time to first 200 on /readyz, restart", ms(m.restart), runs(restart, (s) => s.readyMs, ms), "< 5 s", pass(results.restart), ms(m.bareReady), `${(m.restart / m.bareReady).toFixed(1)}×`],
    [`idle RSS, server + embedded PostgreSQL (${m.processes} processes)`, mb(m.totalRss), runs(all, (s) => s.memory.totalRss, mb), "< 200 MB", pass(results.rss), mb(m.bareRss), `${(m.totalRss / m.bareRss).toFixed(1)}×`],
    ["idle RSS, server process only", mb(m.serverRss), runs(all, (s) => s.memory.serverRss, mb), "", "", mb(m.bareRss), `${(m.serverRss / m.bareRss).toFixed(1)}×`],
    ...programs.map((name) => {
      const rss = (s: Sample) => s.memory.byProgram[name]?.rss ?? 0;
      const count = median(all.map((s) => s.memory.byProgram[name]?.count ?? 0));
      return [`idle RSS, ${name} processes below the server (${count})`, mb(median(all.map(rss))), runs(all, rss, mb), "", "", "", ""];
    }),
    ["idle PSS, whole tree (shared pages counted once)", mb(m.totalPss), runs(all, (s) => s.memory.totalPss, mb), "", "", mb(m.barePss), `${(m.totalPss / m.barePss).toFixed(1)}×`],
  ];
  const table = [rows[0]!, rows[0]!.map(() => "---"), ...rows.slice(1)].map((r) => `| ${r.join(" | ")} |`).join("\n");

  console.log(`\nStartup (bench/startup.ts), ${facts.date}`);
  console.log(`machine: ${facts.cpus} CPUs (${facts.cpu}), ${facts.ramGiB} GiB RAM, Node ${facts.node}, uid ${facts.uid}\n`);
  console.log(table);
  console.log(`\nIdle memory is read ${IDLE_MS / 1000} s after ready, medians over fresh and restart runs.`);
  const ok = Object.values(results).every(Boolean);
  console.log(ok ? "All targets met." : "Some targets were missed.");
  if (args.check && !ok) process.exitCode = 1;
}

main().catch((error) => {
  killAll();
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
