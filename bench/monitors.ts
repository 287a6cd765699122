// Uptime monitor scheduling benchmark (issue 21): N HTTP monitors (default 2,000) at a 20 s
// interval against a loopback target, run through the real scheduler (scheduler.server.ts: leader
// lock, reloads, 250 ms tick, bounded concurrency) and the real check code (run.server.ts:
// checkHttp through the SSRF policy, one tenant transaction per result) on a real PostgreSQL,
// for `--intervals` intervals (default 2) after a warm-up interval.
//
//   npx tsx bench/monitors.ts [--monitors 2000] [--interval 20] [--intervals 2] [--check]
//   (npm run bench:monitors)
//
// Measured: scheduling lateness (start of a check minus its grid point) p50/p99/max, checks
// recorded in the window (rows in "MonitorResult") vs expected, and this process's CPU
// (process.cpuUsage user+system over wall time, in cores). The target server runs in a child
// process and PostgreSQL in its own, so neither is counted: "control-plane CPU" is the Node
// process that schedules, checks and writes.
//
// Baseline, same run, same machine: a bare loop issuing the same requests (the same N URLs at the
// same per-monitor offsets in the interval) with plain node:http (`http.get`, a new connection per
// request like the check) and nothing else: no policy, no database. The ratio is scheduler CPU /
// baseline CPU. Targets: lateness p99 ≤ 1 s, control-plane CPU ≤ 0.5 core.
//
// The bench allows its own loopback target the way the tests do (ALERTS_ALLOWED_HOSTS). Needs a
// PostgreSQL superuser URL in TEST_DATABASE_URL or a local one at 127.0.0.1:5432 (trust); creates
// and drops its own database; the target child is killed on every exit path.
import { spawn, type ChildProcess } from "node:child_process";
import { get as httpGet } from "node:http";
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { openLogBenchDb } from "./log-bench-db";

const { values: args } = parseArgs({
  options: {
    monitors: { type: "string", default: "2000" },
    interval: { type: "string", default: "20" },
    intervals: { type: "string", default: "2" },
    check: { type: "boolean", default: false },
  },
});
const N = Number(args.monitors);
const INTERVAL_S = Number(args.interval);
const INTERVALS = Number(args.intervals);
const INTERVAL_MS = INTERVAL_S * 1000;
const WINDOW_MS = INTERVALS * INTERVAL_MS;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const cores = (usage: NodeJS.CpuUsage, wallMs: number) => (usage.user + usage.system) / 1000 / wallMs;

/** The loopback target: a plain node:http server in its own process, so its CPU is not ours. */
function startTarget(): Promise<{ child: ChildProcess; port: number }> {
  const code = `const s=require('http').createServer((q,r)=>{r.setHeader('content-type','text/plain');r.end('ok')});s.keepAliveTimeout=5000;s.listen(0,'127.0.0.1',()=>console.log(s.address().port))`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout!.once("data", (d: Buffer) => resolve({ child, port: Number(String(d).trim()) }));
  });
}

const load0 = loadavg();
const target = await startTarget();
const killTarget = () => target.child.exitCode === null && target.child.kill("SIGKILL");
process.on("exit", killTarget);
process.env.ALERTS_ALLOWED_HOSTS = `127.0.0.1:${target.port}`;
process.env.LOG_LEVEL = "error";
const url = `http://127.0.0.1:${target.port}/health`;

const db = await openLogBenchDb("monitors");
let failed = false;
try {
  const { connectDatabase, disconnectDatabase } = await import("~/server/db/client.server");
  const { closeAppPool } = await import("~/server/db/pg-pool.server");
  const { startMonitorScheduler } = await import("~/server/monitors/scheduler.server");
  const { offsetFor, nextRunAfter } = await import("~/server/monitors/schedule");
  connectDatabase(db.appUrl, 0);

  const { rows: ids } = await db.admin.query<{ id: string }>(
    `INSERT INTO "Monitor" (id, "orgId", name, type, config, "intervalSeconds", "channelIds", "updatedAt")
     SELECT gen_random_uuid(), $1, 'bench ' || i, 'http', $2::jsonb, $3, '{}', now() FROM generate_series(1, $4) AS i RETURNING id`,
    [db.orgId, JSON.stringify({ url }), INTERVAL_S, N],
  );

  // ---- the scheduler and the real checks ----
  let measuring = false;
  const lateness: number[] = [];
  const stop = startMonitorScheduler({ onStart: (late) => measuring && lateness.push(late) });
  // Warm-up: the leader lock (1 s), the first load, one full interval so every monitor has run once.
  await sleep(1_500 + INTERVAL_MS);
  measuring = true;
  const from = new Date();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(WINDOW_MS);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  measuring = false;
  const to = new Date();
  stop();
  await sleep(3_000); // let in-flight checks finish
  const { rows: counted } = await db.admin.query<{ n: string; bad: string }>(
    `SELECT count(*) AS n, count(*) FILTER (WHERE NOT ok) AS bad FROM "MonitorResult" WHERE time >= $1 AND time < $2`,
    [from, to],
  );
  const { rows: sample } = await db.admin.query<{ message: string }>(`SELECT message FROM "MonitorResult" WHERE NOT ok LIMIT 1`);
  const recorded = Number(counted[0]!.n);
  const bad = Number(counted[0]!.bad);

  // ---- baseline: the same requests at the same spread, plain node:http ----
  let requests = 0;
  let errors = 0;
  let baseRunning = true;
  const timers = new Set<NodeJS.Timeout>();
  // From the previous grid point, not the clock: a timer that fires a millisecond early must not
  // pick the same point again.
  const schedule = (offset: number, after = Date.now()) => {
    const at = nextRunAfter(after, INTERVAL_MS, offset);
    const t = setTimeout(() => {
      timers.delete(t);
      if (!baseRunning) return;
      schedule(offset, at);
      httpGet(url, { agent: false }, (res) => {
        res.resume();
        res.on("end", () => requests++);
      }).on("error", () => errors++);
    }, at - Date.now());
    timers.add(t);
  };
  for (const { id } of ids) schedule(offsetFor(id, INTERVAL_MS));
  await sleep(INTERVAL_MS); // warm-up interval, as above
  requests = 0;
  const bcpu0 = process.cpuUsage();
  const b0 = performance.now();
  await sleep(WINDOW_MS);
  const bwall = performance.now() - b0;
  const bcpu = process.cpuUsage(bcpu0);
  const baseRequests = requests;
  baseRunning = false;
  for (const t of timers) clearTimeout(t);

  const load1 = loadavg();
  lateness.sort((a, b) => a - b);
  const expected = Math.round((N * WINDOW_MS) / INTERVAL_MS);
  const p50 = pct(lateness, 50);
  const p99 = pct(lateness, 99);
  const schedCores = cores(cpu, wall);
  const baseCores = cores(bcpu, bwall);
  const ok = { p99: p99 <= 1000, cpu: schedCores <= 0.5, all: recorded >= expected * 0.99 && bad === 0 };

  console.log(`\nMonitors benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, PostgreSQL ${db.pgVersion}`);
  console.log(`load average before: ${load0.map((l) => l.toFixed(2)).join(" ")}; after: ${load1.map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`${N} HTTP monitors, ${INTERVAL_S} s interval, measured over ${INTERVALS} intervals (${(wall / 1000).toFixed(1)} s) after a warm-up interval\n`);
  console.log("| measure | value | target | result |");
  console.log("| --- | --- | --- | --- |");
  console.log(`| scheduling lateness p50 | ${p50} ms | | |`);
  console.log(`| scheduling lateness p99 | ${p99} ms | ≤ 1000 ms | ${ok.p99 ? "pass" : "FAIL"} |`);
  console.log(`| scheduling lateness max | ${lateness.at(-1)} ms | | |`);
  console.log(`| checks started / recorded / expected | ${lateness.length} / ${recorded} / ${expected} (${bad} failed) | all, none failed | ${ok.all ? "pass" : "FAIL"} |`);
  console.log(`| control-plane CPU (scheduler + checks + result writes) | ${schedCores.toFixed(3)} cores | ≤ 0.5 core | ${ok.cpu ? "pass" : "FAIL"} |`);
  console.log(`| baseline: bare node:http loop, same requests and spread | ${baseCores.toFixed(3)} cores (${baseRequests} requests, ${errors} errors) | | |`);
  console.log(`| ratio scheduler / baseline | ${(schedCores / baseCores).toFixed(1)}× | | |`);
  if (bad) console.log(`\nfirst failure: ${sample[0]?.message}`);
  failed = !(ok.p99 && ok.cpu && ok.all);

  await disconnectDatabase();
  await closeAppPool();
} finally {
  await db.cleanup();
  killTarget();
}
process.exit(args.check && failed ? 1 : 0);
