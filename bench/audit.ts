// Audit export and verification benchmark (issue 16): N audit entries (default 1,000,000) of one
// organization, chained and keyed exactly as the app writes them (decision 110), loaded with
// `psql \copy`; then, through the app's own code on the app role (RLS applies):
//   - export in each format (csv, json, cef, syslog), read to the end, rows/s;
//   - verification of the whole chain (GET /api/v1/audit/verify's function), seconds.
// Baseline in the same run: `psql \copy (SELECT … ORDER BY id) TO file CSV` of the same rows.
// Targets: every export ≥ 50,000 rows/s; verification of 1M rows ≤ 10 s.
//
//   npx tsx bench/audit.ts [--rows 1000000]      (npm run bench:audit)
//
// Needs a PostgreSQL superuser at TEST_DATABASE_URL or 127.0.0.1:5432 (trust); creates and drops
// its own database.
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createWriteStream, statSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openLogBenchDb } from "./log-bench-db";

const { values: args } = parseArgs({ options: { rows: { type: "string", default: "1000000" } } });
const N = Number(args.rows);

const db = await openLogBenchDb("audit");
try {
  const { setSingleton } = await import("~/server/singleton.server");
  setSingleton("encryptionKey", randomBytes(32));
  const { connectDatabase, disconnectDatabase } = await import("~/server/db/client.server");
  const { expectedAuditHash, headSignature } = await import("~/server/audit/audit.server");
  const { exportAudit, verifyAuditChain } = await import("~/server/audit/audit-log.server");
  const { openAuditSnapshot } = await import("~/server/audit/audit-stream.server");
  connectDatabase(db.appUrl, 0);

  // ---- load N chained rows (as the app would have written them) with psql \copy
  const t0 = Date.now();
  const file = join(db.dir, "audit.tsv");
  const out = createWriteStream(file);
  const start = Date.now() - N * 10; // 10 ms apart, ending now
  const actions = ["proxy.update", "container.stop", "auth.login", "user.create", "certificate.renew"];
  let prev: string | null = null;
  const esc = (v: string | null) => (v === null ? "\\N" : v.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n"));
  for (let i = 1; i <= N; i++) {
    const row = {
      id: BigInt(i),
      orgId: db.orgId,
      time: new Date(start + i * 10),
      actorId: "5b0f9d1e-0000-4000-8000-000000000001",
      actorEmail: `user${i % 50}@example.com`,
      action: actions[i % actions.length]!,
      targetType: "proxy",
      targetId: randomUUID(),
      ip: "203.0.113.7",
      userAgent: "Mozilla/5.0 (X11; Linux x86_64) bench",
      outcome: i % 17 === 0 ? "denied" : "success",
      details: { n: i, note: "bench | = \\ entry" },
      prevHash: prev,
      hashVersion: 2,
    };
    const hash = expectedAuditHash(row);
    const line = [row.id.toString(), row.orgId, row.time.toISOString(), row.actorId, row.actorEmail, row.action, row.targetType, row.targetId, row.ip, row.userAgent, row.outcome, JSON.stringify(row.details), row.prevHash, hash, "2"].map(esc).join("\t");
    if (!out.write(line + "\n")) await new Promise<void>((r) => out.once("drain", () => r()));
    prev = hash;
  }
  await new Promise<void>((r) => out.end(() => r()));
  execFileSync("psql", [db.adminUrl, "-v", "ON_ERROR_STOP=1", "-qc", `\\copy "AuditLog" (id, "orgId", time, "actorId", "actorEmail", action, "targetType", "targetId", ip, "userAgent", outcome, details, "prevHash", hash, "hashVersion") FROM '${file}'`]);
  const head = { orgId: db.orgId, lastId: BigInt(N), lastHash: prev!, count: BigInt(N) };
  await db.admin.query(`INSERT INTO "AuditChainHead" ("orgId", "lastId", "lastHash", count, signature) VALUES ($1, $2, $3, $4, $5)`, [db.orgId, N, prev, N, headSignature(head)]);
  await db.admin.query(`SELECT setval(pg_get_serial_sequence('"AuditLog"', 'id'), $1)`, [N]);
  await db.admin.query(`ANALYZE "AuditLog"`);
  const loadS = (Date.now() - t0) / 1000;

  // ---- baseline: psql \copy of the same rows to CSV
  const baseFile = join(db.dir, "baseline.csv");
  let t = Date.now();
  execFileSync("psql", [db.adminUrl, "-v", "ON_ERROR_STOP=1", "-qc", `\\copy (SELECT id, time, "actorId", "actorEmail", action, "targetType", "targetId", ip, outcome, details FROM "AuditLog" WHERE "orgId" = '${db.orgId}' ORDER BY id) TO '${baseFile}' CSV HEADER`]);
  const baseS = (Date.now() - t) / 1000;
  const baseRate = N / baseS;

  const actor = { userId: "bench", orgId: db.orgId, role: "admin" as const, email: "bench@example.com", name: "Bench", mfaEnabled: false, sessionId: "bench" };
  const results: { what: string; seconds: number; rate: number; bytes: number }[] = [];
  // What the database side alone costs: the same cursor read, nothing formatted.
  {
    t = Date.now();
    const snapshot = await openAuditSnapshot(db.orgId);
    let rows = 0;
    for await (const batch of snapshot.rows()) rows += batch.length;
    await snapshot.close();
    const seconds = (Date.now() - t) / 1000;
    if (rows !== N) throw new Error(`the cursor read ${rows} rows, not ${N}`);
    results.push({ what: "cursor read only (no format)", seconds, rate: N / seconds, bytes: 0 });
  }
  for (const format of ["csv", "json", "cef", "syslog"] as const) {
    t = Date.now();
    let bytes = 0;
    const reader = exportAudit(actor, {}, format, { vendor: "InfraPilot", product: "InfraPilot", version: "bench", hostname: "bench.example.com" }).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
    }
    const seconds = (Date.now() - t) / 1000;
    results.push({ what: `export ${format}`, seconds, rate: N / seconds, bytes });
  }
  t = Date.now();
  const verified = await verifyAuditChain(actor);
  const verifyS = (Date.now() - t) / 1000;
  if (!verified.ok || verified.entries !== N) throw new Error(`verification did not pass: ${JSON.stringify(verified)}`);

  console.log(`\nAudit benchmark: ${N.toLocaleString("en")} entries, one organization (loaded in ${loadS.toFixed(1)} s)`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load ${loadavg().map((l) => l.toFixed(1)).join(" ")}, PostgreSQL ${db.pgVersion}, Node ${process.version}`);
  console.log(`baseline psql \\copy to CSV: ${baseS.toFixed(2)} s, ${Math.round(baseRate).toLocaleString("en")} rows/s (${(statSync(baseFile).size / 2 ** 20).toFixed(0)} MiB)`);
  console.log("| what | seconds | rows/s | MiB | vs psql \\copy | target |");
  console.log("|---|---|---|---|---|---|");
  for (const r of results) console.log(`| ${r.what} | ${r.seconds.toFixed(2)} | ${Math.round(r.rate).toLocaleString("en")} | ${(r.bytes / 2 ** 20).toFixed(0)} | ${(r.rate / baseRate).toFixed(2)}× | ≥ 50,000 rows/s ${r.rate >= 50_000 ? "✓" : "✗"} |`);
  console.log(`| verify | ${verifyS.toFixed(2)} | ${Math.round(N / verifyS).toLocaleString("en")} | – | – | ≤ 10 s for 1M ${verifyS * (1_000_000 / N) <= 10 ? "✓" : "✗"} |`);
  await disconnectDatabase();
} finally {
  await db.cleanup();
}
