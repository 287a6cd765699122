// Log ingestion benchmark (issue 5, "Performance"): N rows of today into the indexed,
// day-partitioned "LogLine" table three ways, each into the emptied table with the same indexes
// (today's partition: the two btree indexes; the trigram GIN index is built only once a day has
// closed, see docs/decisions/030-log-storage.md):
//   app      — the app's ingestion path: LogWriter as the RLS-confined application role, two
//              batches of 5,000 in flight, with both of its batch methods (INSERT … SELECT FROM
//              unnest, the default; COPY into a session TEMP staging table + INSERT … SELECT),
//              and the writer one batch at a time (unnest, concurrency 1: the former schedule),
//              each timed in the same run;
//   copy     — `psql \copy` of the same rows from a file (file written beforehand, not timed),
//              as the owner (so without the RLS check: the fastest Postgres can take them);
//   singles  — one INSERT per row in autocommit as the app role; a sample of --singles rows is
//              timed and extrapolated to N (said so in the output).
// Targets: app ≥ 0.5× copy, app ≥ 20× singles. Also printed, not part of the ratios: the deferred
// cost, i.e. building the day's trigram index once (what the log-search-index job does after
// midnight) on the rows the app path wrote, and the app path into a partition that does carry the
// trigram index (a late line for a closed day; --with-trgm to measure it, N rows more).
//
//   npx tsx bench/log-ingest.ts [--rows 1000000] [--singles 20000] [--with-trgm] [--unnest-first] [--check]
//
// Needs a PostgreSQL superuser URL in TEST_DATABASE_URL or a local one at 127.0.0.1:5432 (trust),
// and `psql` on PATH. Creates and drops its own database.
import { createWriteStream } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openLogBenchDb, psqlCopyLogLines } from "./log-bench-db";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    singles: { type: "string", default: "20000" },
    check: { type: "boolean", default: false },
    "with-trgm": { type: "boolean", default: false },
    "unnest-first": { type: "boolean", default: false },
  },
});
const ROWS = Number(args.rows);
const SINGLES = Math.min(Number(args.singles), ROWS);
const { LogWriter, DEFAULT_WRITE_METHOD, DEFAULT_CONCURRENCY } = await import("~/server/logs/log-writer.server");
type Input = import("~/server/logs/log-writer.server").StoredLogInput;
const { admin, adminUrl, pool, orgId, pgVersion, dir, cleanup } = await openLogBenchDb("logs");

try {

  // Rows of today (one partition), 20 containers, ~120-byte messages with a few distinct tokens.
  const start = new Date(new Date().toISOString().slice(0, 10) + "T00:00:00Z").getTime();
  const span = Math.max(Date.now() - start - 1000, 60_000);
  const levels = ["info", "info", "info", "debug", "warn", "error", "unknown"] as const;
  const makeRow = (i: number): Input => {
    const c = i % 20;
    const level = levels[i % levels.length]!;
    const micros = String(i % 1000).padStart(3, "0");
    const time = new Date(start + Math.floor((i / ROWS) * span)).toISOString().replace("Z", `${micros}Z`);
    return {
      time,
      agentId: "bench-agent",
      containerId: `container-${c}`,
      containerName: `app-${c}`,
      stack: c < 10 ? "shop" : null,
      proxyHostId: null,
      stream: i % 9 === 0 ? "stderr" : "stdout",
      level,
      message: `${level.toUpperCase()} req=${(i * 2654435761) % 4294967296} user=u${i % 5000} path=/api/v1/items/${i % 977} took=${i % 300}ms status=200 bytes=${i % 65536}`.padEnd(120, "."),
    };
  };
  // Up to 2M rows are generated before anything is timed; beyond that they would not fit in the
  // heap, so each batch is generated just before it is pushed (while the previous one is being
  // written) and the copy file is written from the same function.
  const PREGENERATED = ROWS <= 2_000_000;
  const all: Input[] | null = PREGENERATED ? Array.from({ length: ROWS }, (_, i) => makeRow(i)) : null;
  const batch = (i: number): Input[] => (all ? all.slice(i, i + 5_000) : Array.from({ length: Math.min(5_000, ROWS - i) }, (_, k) => makeRow(i + k)));

  const truncate = () => admin.query(`TRUNCATE "LogLine", "LogUsage"`);
  const count = async () => Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM "LogLine"`)).rows[0]!.n);

  const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(" ");
  const part = `LogLine_p${new Date(start).toISOString().slice(0, 10).replaceAll("-", "")}`;
  const indexes = async () =>
    (await admin.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY 1`, [part])).rows.map((r) => r.indexname).join(", ");
  const indexState = await indexes();
  if (/trgm/.test(indexState)) throw new Error(`today's partition ${part} carries a trigram index (${indexState})`);

  // app paths, each from the emptied table after a CHECKPOINT: the writer's two batch methods with
  // its default concurrency, and the writer one batch at a time (unnest, concurrency 1). The writer's
  // default method is the headline "app" row and the one the targets are checked against.
  const runApp = async (method: "copy" | "unnest", concurrency?: number) => {
    await truncate();
    await admin.query("CHECKPOINT");
    const t0 = performance.now();
    const writer = new LogWriter(orgId, { pool, method, concurrency });
    for (let i = 0; i < ROWS; i += 5_000) await writer.push(batch(i));
    await writer.close();
    const seconds = (performance.now() - t0) / 1000;
    if ((await count()) !== ROWS) throw new Error(`app path (${method}) stored ${await count()} of ${ROWS}`);
    return seconds;
  };
  const variants = { copy: 0, unnest: 0, former: 0 };
  // --unnest-first swaps the two methods' order (the first run also warms caches up).
  if (args["unnest-first"]) variants.unnest = await runApp("unnest", DEFAULT_CONCURRENCY);
  variants.copy = await runApp("copy", DEFAULT_CONCURRENCY);
  if (!args["unnest-first"]) variants.unnest = await runApp("unnest", DEFAULT_CONCURRENCY);
  variants.former = await runApp("unnest", 1);
  const appSeconds = variants[DEFAULT_WRITE_METHOD];
  let t = performance.now();
  // The deferred cost: the trigram index of this day, built once over what the app wrote (then
  // dropped again so that the next paths meet the same indexes).
  const trgm = `${part}_message_trgm_idx`;
  t = performance.now();
  await admin.query(`CREATE INDEX "${trgm}" ON "${part}" USING gin ("message" gin_trgm_ops)`);
  const buildSeconds = (performance.now() - t) / 1000;
  let trgmAppSeconds: number | null = null;
  if (args["with-trgm"]) {
    // The app path into a partition that carries the trigram index (before this change: always).
    await truncate();
    await admin.query("CHECKPOINT");
    t = performance.now();
    const w = new LogWriter(orgId, { pool });
    for (let i = 0; i < ROWS; i += 5_000) await w.push(batch(i));
    await w.close();
    trgmAppSeconds = (performance.now() - t) / 1000;
  }
  await admin.query(`DROP INDEX "${trgm}"`);
  if ((await indexes()) !== indexState) throw new Error("index state changed between paths");

  // psql \copy of the same rows (text format)
  const file = join(dir, "rows.tsv");
  const out = createWriteStream(file);
  const esc = (v: string | null) => (v === null ? "\\N" : v.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r"));
  for (let i = 0; i < ROWS; i++) {
    const r = all ? all[i]! : makeRow(i);
    const line = [orgId, r.time, r.agentId, r.containerId, r.containerName, r.stack, r.proxyHostId, r.stream, r.level, r.message].map(esc).join("\t") + "\n";
    if (!out.write(line)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(resolve));
  await truncate();
  await admin.query("CHECKPOINT");
  t = performance.now();
  psqlCopyLogLines(adminUrl, file);
  const copySeconds = (performance.now() - t) / 1000;
  if ((await count()) !== ROWS) throw new Error(`copy stored ${await count()} of ${ROWS}`);

  // single-row INSERTs (sample, extrapolated), as the app role, autocommit
  await truncate();
  await admin.query("CHECKPOINT");
  const single = await pool.connect();
  await single.query("SELECT set_config('app.org_id', $1, false)", [orgId]);
  t = performance.now();
  for (let i = 0; i < SINGLES; i++) {
    const r = all ? all[i]! : makeRow(i);
    await single.query(
      `INSERT INTO "LogLine" ("orgId", "time", "agentId", "containerId", "containerName", "stack", "proxyHostId", "stream", "level", "message") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [orgId, r.time, r.agentId, r.containerId, r.containerName, r.stack, r.proxyHostId, r.stream, r.level, r.message],
    );
  }
  const singleSampleSeconds = (performance.now() - t) / 1000;
  single.release();
  const singleSeconds = (singleSampleSeconds * ROWS) / SINGLES;
  if ((await indexes()) !== indexState) throw new Error("index state changed between paths");

  const rate = (s: number) => Math.round(ROWS / s).toLocaleString("en");
  const vsCopy = copySeconds / appSeconds;
  const vsSingles = singleSeconds / appSeconds;
  console.log(`\nLog ingestion: ${ROWS.toLocaleString("en")} rows of today into "LogLine" (${part}: ${indexState}; RLS), PostgreSQL ${pgVersion}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  console.log(`${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} (at the start: ${loadAtStart})\n`);
  console.log(`| path | seconds | rows/s |`);
  console.log(`| --- | ---: | ---: |`);
  const generated = PREGENERATED ? "" : "; rows generated per batch while the previous batch is written";
  const label = { copy: "COPY of each 5000-row batch into a TEMP staging table + INSERT … SELECT", unnest: "INSERT … SELECT FROM unnest per 5000-row batch" };
  for (const m of [DEFAULT_WRITE_METHOD, DEFAULT_WRITE_METHOD === "copy" ? "unnest" : "copy"] as const) {
    const head = m === DEFAULT_WRITE_METHOD ? "**app** (writer's default): " : "app, other method: ";
    console.log(`| ${head}LogWriter, ${label[m]}, ${DEFAULT_CONCURRENCY} batches at a time, app role with RLS${generated} | ${variants[m].toFixed(1)} | ${rate(variants[m])} |`);
  }
  console.log(`| app, one batch at a time (concurrency 1): LogWriter, ${label.unnest}, 1 batch at a time${generated} | ${variants.former.toFixed(1)} | ${rate(variants.former)} |`);
  console.log(`| psql \\copy (owner, no RLS) | ${copySeconds.toFixed(1)} | ${rate(copySeconds)} |`);
  console.log(`| single-row INSERTs (${SINGLES.toLocaleString("en")} timed, extrapolated) | ${singleSeconds.toFixed(1)} | ${rate(singleSeconds)} |`);
  console.log(`\nnot in the ratios: building the day's trigram index once over these rows (deferred to the day's close): ${buildSeconds.toFixed(1)} s (${rate(buildSeconds)} rows/s)`);
  if (trgmAppSeconds !== null) console.log(`not in the ratios: app path into the partition carrying the trigram index: ${trgmAppSeconds.toFixed(1)} s (${rate(trgmAppSeconds)} rows/s)`);
  const okCopy = vsCopy >= 0.5;
  const okSingles = vsSingles >= 20;
  console.log(`\napp vs psql \\copy: ${vsCopy.toFixed(2)}× (target ≥ 0.5×) ${okCopy ? "PASS" : "FAIL"}`);
  console.log(`app vs single-row INSERTs: ${vsSingles.toFixed(1)}× (target ≥ 20×) ${okSingles ? "PASS" : "FAIL"}`);
  const r = (x: number) => (copySeconds / x).toFixed(2);
  console.log(`vs psql \\copy — copy method: ${r(variants.copy)}×, unnest method: ${r(variants.unnest)}×, one batch at a time: ${r(variants.former)}×`);
  await cleanup();
  if (args.check && !(okCopy && okSingles)) process.exit(1);
} catch (error) {
  console.error(error);
  await cleanup();
  process.exit(1);
}
