// Shared set-up of the log benchmarks (log-ingest, log-search): a fresh database on the
// PostgreSQL superuser at TEST_DATABASE_URL (or 127.0.0.1:5432), bootstrapped like the app does
// (migrations, RLS, the `<db>_app` role), one organization, the app role's pool, and a temporary
// directory for exported rows. `cleanup()` drops all of it (also on Ctrl-C).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";

export interface LogBenchDb {
  /** Owner connection to the bench database (no RLS). */
  admin: pg.Client;
  adminUrl: string;
  /** The app role's URL (what `connectDatabase` is given). */
  appUrl: string;
  /** The app role's pool (RLS applies), as the server uses it. */
  pool: pg.Pool;
  orgId: string;
  pgVersion: string;
  dir: string;
  cleanup(): Promise<void>;
}

export async function openLogBenchDb(label: string): Promise<LogBenchDb> {
  const adminBase = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const dbName = `ip_bench_${label}_${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), `infrapilot-bench-${label}-`));
  const { bootstrapDatabase } = await import("~/server/db/bootstrap.server");
  const { createAppPool } = await import("~/server/db/pg-pool.server");

  const server = new pg.Client({ connectionString: adminBase });
  await server.connect();
  await server.query(`CREATE DATABASE ${dbName}`);
  const adminUrl = Object.assign(new URL(adminBase), { pathname: `/${dbName}` }).toString();
  const admin = new pg.Client({ connectionString: adminUrl });
  let pool: pg.Pool | undefined;
  const cleanup = async () => {
    await pool?.end().catch(() => {});
    await admin.end().catch(() => {});
    await server.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await server.end().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    const urls = await bootstrapDatabase({ adminUrl, dataDir: join(dir, "data") });
    await admin.connect();
    const orgId = randomUUID();
    await admin.query(`INSERT INTO "Organization" (id, name, slug) VALUES ($1, 'Bench', 'bench')`, [orgId]);
    const pgVersion = (await admin.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
    pool = createAppPool(urls.appUrl);
    return { admin, adminUrl, appUrl: urls.appUrl, pool, orgId, pgVersion, dir, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** `psql \copy` of a TSV file of log rows into "LogLine" as the owner: the benchmarks' baseline and loader. */
export function psqlCopyLogLines(adminUrl: string, file: string): void {
  execFileSync("psql", [adminUrl, "-v", "ON_ERROR_STOP=1", "-qc", `\\copy "LogLine" ("orgId", "time", "agentId", "containerId", "containerName", "stack", "proxyHostId", "stream", "level", "message") FROM '${file}'`]);
}
