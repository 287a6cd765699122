// Log search benchmark (issue 5, "Performance"): N rows spread evenly over the last 30 days in the
// real day-partitioned, indexed "LogLine" table (one partition per day, 2 btree indexes, RLS; the
// trigram GIN index on every closed day, built by the app's own maintenance function
// `log_line_index_closed_partitions` after the load, and on today's partition one partial index
// per ended hour (`log_line_index_closed_hours`), exactly as the log-search-index job leaves it), then, through the app's query function (`queryLogPage`, as the RLS-confined app
// role, exactly what GET /api/v1/logs runs, i.e. the SECURITY DEFINER `log_line_search`):
//   rare     — a rare substring over everything kept (no time range): `q=needle-zq9x7`, 5 rows
//              (one of them from the last minutes, in today's unindexed partition);
//   rare regex — the same as a case-insensitive regex;
//   rare today — the rare substring since 00:00 UTC: today's hourly indexes and a scan of the
//              current hour;
//   common   — a common term (1 row in 7) in the last 24 hours, and in the last 7 days, LIMIT 100;
//   container — the last hour of one container (1 of 20), LIMIT 100;
// p50/p95 over --runs runs each (after 3 warm-ups), vs `grep -c` of the same term over the same
// rows exported to a file (case-insensitive fixed string, like ILIKE; median of 5), and the time
// to drop one day (`DROP TABLE` of the oldest partition, what log_line_apply_retention does).
// Targets: every query p95 < 200 ms and none slower than grep; dropping a day < 1 s.
//
//   npx tsx bench/log-search.ts [--rows 1000000] [--runs 50] [--check]
//
// Needs a PostgreSQL superuser URL in TEST_DATABASE_URL or a local one at 127.0.0.1:5432 (trust),
// and `psql` and `grep` on PATH. Creates and drops its own database and temporary directory.
import { execFileSync } from "node:child_process";
import { createWriteStream, statSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openLogBenchDb, psqlCopyLogLines } from "./log-bench-db";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    runs: { type: "string", default: "50" },
    check: { type: "boolean", default: false },
  },
});
const ROWS = Number(args.rows);
const RUNS = Number(args.runs);
const DAYS = 30;
const CONTAINERS = 20;
const NEEDLE = "needle-zq9x7";
const NEEDLES = 5;
const { queryLogPage } = await import("~/server/logs/log-query.server");
type Filters = import("~/server/logs/log-query.server").LogFilters;
const { admin, adminUrl, pool, orgId, pgVersion, dir, cleanup } = await openLogBenchDb("search");

const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(" ");
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

try {

  // Rows evenly over the last 30 days, 20 containers, ~120-byte messages (as bench/log-ingest.ts);
  // 1 in 7 says ERROR; NEEDLES rows carry the rare token: spread-out times, the last one a few
  // minutes ago (today's partition).
  const now = Date.now();
  const start = now - DAYS * 86_400_000;
  await admin.query("SELECT log_line_ensure_partitions($1::date, $2::date)", [day(start), day(now + 86_400_000)]);
  const levels = ["info", "info", "info", "debug", "warn", "error", "unknown"] as const;
  const file = join(dir, "rows.tsv");
  const out = createWriteStream(file);
  const esc = (v: string | null) => (v === null ? "\\N" : v.replace(/\\/g, "\\\\").replace(/\t/g, "\\t"));
  const needleAt = new Set(Array.from({ length: NEEDLES - 1 }, (_, k) => Math.floor(((k + 0.5) / NEEDLES) * ROWS)));
  needleAt.add(ROWS - 1 - Math.floor(ROWS / 10_000));
  let t = performance.now();
  for (let i = 0; i < ROWS; i++) {
    const c = i % CONTAINERS;
    const level = levels[i % levels.length]!;
    const time = new Date(start + Math.floor((i / ROWS) * (now - start - 1000))).toISOString();
    let message = `${level.toUpperCase()} req=${(i * 2654435761) % 4294967296} user=u${i % 5000} path=/api/v1/items/${i % 977} took=${i % 300}ms status=200 bytes=${i % 65536}`;
    if (needleAt.has(i)) message += ` ${NEEDLE}-${i}`;
    const line = [orgId, time, "bench-agent", `container-${c}`, `app-${c}`, c < 10 ? "shop" : null, null, i % 9 === 0 ? "stderr" : "stdout", level, message.padEnd(120, ".")].map(esc).join("\t") + "\n";
    if (!out.write(line)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(resolve));
  const genSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  psqlCopyLogLines(adminUrl, file);
  const loadSeconds = (performance.now() - t) / 1000;
  // What the log-search-index job does once each day has closed: build the day's trigram index.
  t = performance.now();
  const built = Number((await admin.query<{ n: number }>("SELECT log_line_index_closed_partitions(1000) AS n")).rows[0]!.n);
  const indexSeconds = (performance.now() - t) / 1000;
  // And what it does during the open day: a partial trigram index per hour that has ended.
  t = performance.now();
  const builtHours = Number((await admin.query<{ n: number }>("SELECT log_line_index_closed_hours(1000) AS n")).rows[0]!.n);
  const hoursSeconds = (performance.now() - t) / 1000;
  await admin.query("VACUUM (ANALYZE) \"LogLine\"");
  const todayPart = `LogLine_p${day(now).replaceAll("-", "")}`;
  const todayRows = Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "${todayPart}"`)).rows[0]!.n);
  const todayFull = (await admin.query(`SELECT 1 FROM pg_indexes WHERE tablename = $1 AND indexname = $2`, [todayPart, `${todayPart}_message_trgm_idx`])).rowCount! > 0;
  if (todayFull) throw new Error(`${todayPart} has a full-day trigram index; expected only hourly ones on today's partition`);
  const nowHourStart = new Date(Math.floor(now / 3_600_000) * 3_600_000);
  const currentHourRows = Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "${todayPart}" WHERE "time" >= $1`, [nowHourStart.toISOString()])).rows[0]!.n);
  const stored = Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "LogLine"`)).rows[0]!.n);
  if (stored !== ROWS) throw new Error(`stored ${stored} of ${ROWS}`);
  const sizes = (await admin.query<{ bytes: string; parts: string }>(
    `SELECT sum(pg_total_relation_size(c.oid))::text AS bytes, count(*)::text AS parts FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '"LogLine"'::regclass`,
  )).rows[0]!;

  // The queries, through the app's query function as the app role (RLS on).
  const cases: { name: string; filters: Filters; grep: string[]; expect?: (n: number) => boolean }[] = [
    { name: `rare substring \`${NEEDLE}\`, all 30 days`, filters: { q: NEEDLE }, grep: ["-c", "-F", "-i", NEEDLE, file], expect: (n) => n === NEEDLES },
    { name: `rare regex \`needle-zq9x[0-9]\`, all 30 days`, filters: { q: "needle-zq9x[0-9]", regex: true }, grep: ["-c", "-i", "-E", "needle-zq9x[0-9]", file], expect: (n) => n === NEEDLES },
    { name: `rare substring, today only (${todayRows.toLocaleString("en")} rows: ${builtHours} hourly indexes + a scan of the current hour's ${currentHourRows.toLocaleString("en")})`, filters: { q: NEEDLE, from: new Date(`${day(now)}T00:00:00Z`) }, grep: ["-c", "-F", "-i", NEEDLE, file], expect: (n) => n === 1 },
    { name: "common term `error` (1 in 7), last 24 h, LIMIT 100", filters: { q: "error", from: new Date(now - 86_400_000) }, grep: ["-c", "-F", "-i", "error", file], expect: (n) => n === 100 },
    { name: "common term `error` (1 in 7), last 7 days, LIMIT 100", filters: { q: "error", from: new Date(now - 7 * 86_400_000) }, grep: ["-c", "-F", "-i", "error", file], expect: (n) => n === 100 },
    { name: "last hour of one container (1 of 20), LIMIT 100", filters: { containerId: ["container-7"], from: new Date(now - 3_600_000) }, grep: ["-c", "-F", "container-7\t", file], expect: (n) => n > 0 },
  ];
  const results: { name: string; p50: number; p95: number; rows: number; grepMs: number; grepCount: number }[] = [];
  for (const c of cases) {
    let rows = 0;
    for (let i = 0; i < 3; i++) rows = (await queryLogPage(orgId, c.filters, { limit: 100 }, pool)).items.length;
    if (c.expect && !c.expect(rows)) throw new Error(`${c.name}: unexpected ${rows} rows`);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      await queryLogPage(orgId, c.filters, { limit: 100 }, pool);
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    const grepTimes: number[] = [];
    let grepCount = 0;
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      grepCount = Number(execFileSync("grep", c.grep, { encoding: "utf8" }).trim());
      grepTimes.push(performance.now() - s);
    }
    grepTimes.sort((a, b) => a - b);
    results.push({ name: c.name, p50: quantile(times, 0.5), p95: quantile(times, 0.95), rows, grepMs: quantile(grepTimes, 0.5), grepCount });
  }

  // Dropping one day: the oldest full day's partition, as retention does (owner, DROP TABLE).
  const oldest = `LogLine_p${day(start + 86_400_000).replaceAll("-", "")}`;
  const oldestRows = Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "${oldest}"`)).rows[0]!.n);
  t = performance.now();
  await admin.query(`DROP TABLE "${oldest}"`);
  const dropMs = performance.now() - t;

  const fileMb = statSync(file).size / 2 ** 20;
  console.log(`\nLog search: ${ROWS.toLocaleString("en")} rows over ${DAYS} days in "LogLine" (${sizes.parts} day partitions, ${(Number(sizes.bytes) / 2 ** 20).toFixed(0)} MB with indexes; 2 btree, trigram GIN on the ${built} closed days, hourly partial ones on the ${builtHours} ended hours of today's ${todayPart} (${todayRows.toLocaleString("en")} rows); RLS), PostgreSQL ${pgVersion}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  console.log(`${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} (at the start: ${loadAtStart})`);
  console.log(`setup (not measured): rows generated in ${genSeconds.toFixed(1)} s, \\copy in ${loadSeconds.toFixed(1)} s, trigram index of ${built} closed days built in ${indexSeconds.toFixed(1)} s (${((indexSeconds / Math.max(built, 1)) * 1000).toFixed(0)} ms per day), ${builtHours} hourly ones of today in ${hoursSeconds.toFixed(1)} s; grep file ${fileMb.toFixed(0)} MB (page cache warm); ${RUNS} runs per query after 3 warm-ups\n`);
  console.log(`| query (app's queryLogPage, app role, RLS) | rows | p50 ms | p95 ms | grep -c same term, ms (count) | grep ÷ p95 | p95 < 200 ms and ≤ grep |`);
  console.log(`| --- | ---: | ---: | ---: | ---: | ---: | --- |`);
  let ok = true;
  for (const r of results) {
    const pass = r.p95 < 200 && r.p95 <= r.grepMs;
    ok &&= pass;
    console.log(`| ${r.name} | ${r.rows} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.grepMs.toFixed(0)} (${r.grepCount.toLocaleString("en")}) | ${(r.grepMs / r.p95).toFixed(1)}× | ${pass ? "PASS" : "FAIL"} |`);
  }
  const dropOk = dropMs < 1000;
  ok &&= dropOk;
  console.log(`\ndrop one day (${oldest}, ${oldestRows.toLocaleString("en")} rows): ${dropMs.toFixed(1)} ms (target < 1 s) ${dropOk ? "PASS" : "FAIL"}`);
  console.log(ok ? "all targets met" : "some targets missed");
  await cleanup();
  if (args.check && !ok) process.exit(1);
} catch (error) {
  console.error(error);
  await cleanup();
  process.exit(1);
}
