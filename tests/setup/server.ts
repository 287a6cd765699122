// Runs the real server (server.ts, production build) as a child process, the way `npm start`
// does, on a free port with its own data directory and, by default, a fresh database.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import pg from "pg";
import { createTestDatabase, freePort } from "./postgres";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface TestServer {
  url: string;
  port: number;
  /** The server process's pid (e.g. to read its memory from /proc). */
  pid: number;
  dataDir: string;
  /** Superuser URL of the server's database (undefined with the embedded one). */
  databaseUrl?: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  /** false: no DATABASE_URL, so the server starts its embedded PostgreSQL. */
  database?: string | false;
  dataDir?: string;
  port?: number;
  waitFor?: "ready" | "exit";
}

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "infrapilot-test-server-"));
  chmodSync(dataDir, 0o755);
  const database = options.database === false ? undefined : (options.database ?? (await createTestDatabase(inject("postgresUrl"))));
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ["--enable-source-maps", join(ROOT, "build", "server.js")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: url,
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      ...(database ? { DATABASE_URL: database } : {}),
      // No nginx on ports 80/443 unless the test asks for one (by naming NGINX_BIN).
      ...(options.env?.NGINX_BIN ? {} : { NGINX_MODE: "off" }),
      ...options.env,
    } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  const server: TestServer = {
    url,
    port,
    pid: child.pid!,
    dataDir,
    databaseUrl: database,
    output: () => output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (options.waitFor === "exit") return server;

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready:\n${output}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await server.stop("SIGKILL");
  throw new Error(`server did not become ready within 60 s:\n${output}`);
}

/** A minimal cookie-keeping client, like a browser without JavaScript. */
export class Client {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  /**
   * Like a browser on our own page, writes carry `Origin: <base>` (the server refuses
   * cookie-carrying writes with neither Origin nor Sec-Fetch-Site); `origin: null` sends none.
   */
  async request(path: string, init: RequestInit & { json?: unknown; origin?: string | null } = {}): Promise<Response> {
    const { origin, ...rest } = init;
    init = rest;
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", this.cookieHeader());
    const write = !["GET", "HEAD", "OPTIONS"].includes((init.method ?? "GET").toUpperCase());
    if (origin === null) headers.delete("origin");
    else if (origin !== undefined) headers.set("origin", origin);
    else if (write && !headers.has("origin")) headers.set("origin", this.base);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(init.json);
    }
    const res = await fetch(this.base + path, { ...init, headers, body, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(";");
      const [name, ...rest] = pair!.split("=");
      const value = rest.join("=");
      const expired = attrs.some((a) => /max-age=0\b/i.test(a.trim())) || value === "";
      if (expired) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
    return res;
  }

  post(path: string, json: unknown, headers?: HeadersInit) {
    return this.request(path, { method: "POST", json, headers });
  }

  /** Posts an HTML form like a browser on our own origin would. */
  form(path: string, fields: Record<string, string>, headers: HeadersInit = {}) {
    return this.request(path, {
      method: "POST",
      body: new URLSearchParams(fields).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: this.base, ...headers },
    });
  }
}

export const ADMIN = { email: "admin@example.com", name: "Ada Admin", password: "correct horse battery staple" };

/** A server that is set up, with a logged-in super admin client. */
export async function setUpServer(server: TestServer): Promise<Client> {
  const client = new Client(server.url);
  const res = await client.post("/api/v1/setup", ADMIN);
  if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
  const login = await client.post("/api/v1/auth/login", { email: ADMIN.email, password: ADMIN.password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  return client;
}

export type Role = "super_admin" | "admin" | "operator" | "viewer";

/**
 * A member created by `admin` with an initial password, logged in, who has already chosen their
 * own password (until then an admin-set password allows nothing else: docs/decisions/051).
 */
export async function memberClient(server: TestServer, admin: Client, input: { email: string; role: Role; name?: string; password?: string }): Promise<{ id: string; client: Client; password: string }> {
  const initial = "an initial password from the admin";
  const password = input.password ?? "a long enough test password";
  const created = await admin.post("/api/v1/users", { email: input.email, name: input.name ?? `${input.role} user`, role: input.role, password: initial });
  if (created.status !== 201) throw new Error(`creating ${input.email} failed: ${created.status} ${await created.text()}`);
  const client = new Client(server.url);
  const login = await client.post("/api/v1/auth/login", { email: input.email, password: initial });
  if (login.status !== 200) throw new Error(`login of ${input.email} failed: ${login.status} ${await login.text()}`);
  const changed = await client.post("/api/v1/account/password", { currentPassword: initial, newPassword: password });
  if (changed.status !== 204) throw new Error(`password change of ${input.email} failed: ${changed.status} ${await changed.text()}`);
  return { id: ((await created.json()) as { id: string }).id, client, password };
}

/**
 * A logged-in client of a second organization on the same server (made in SQL: Community has no
 * sign-up), with its own built-in agent row. Needs the server's databaseUrl and a set-up ADMIN.
 */
export async function secondOrganizationClient(server: TestServer): Promise<Client> {
  const { default: pg } = await import("pg");
  const { randomUUID } = await import("node:crypto");
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  try {
    const orgId = randomUUID();
    const userId = randomUUID();
    const { rows } = await db.query(`SELECT "passwordHash" FROM "User" WHERE email = $1`, [ADMIN.email]);
    await db.query(`INSERT INTO "Organization" (id, name, slug) VALUES ($1, 'Org B', $2)`, [orgId, `org-b-${orgId.slice(0, 8)}`]);
    await db.query(`INSERT INTO "User" (id, email, name, "passwordHash") VALUES ($1, 'b@example.com', 'B', $2)`, [userId, rows[0].passwordHash]);
    await db.query(`INSERT INTO "Membership" (id, "orgId", "userId", role) VALUES ($1, $2, $3, 'admin')`, [randomUUID(), orgId, userId]);
    await db.query(`INSERT INTO "Agent" (id, "orgId", name, kind) VALUES ($1, $2, 'local', 'local')`, [randomUUID(), orgId]);
  } finally {
    await db.end();
  }
  const client = new Client(server.url);
  const login = await client.post("/api/v1/auth/login", { email: "b@example.com", password: ADMIN.password });
  if (login.status !== 200) throw new Error(`login of org B failed: ${login.status} ${await login.text()}`);
  return client;
}

/** One statement on the server's database as its owner (to plant or inspect rows the API would not). */
export async function serverSql(server: TestServer, text: string, values: unknown[] = []) {
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  try {
    return await db.query(text, values);
  } finally {
    await db.end();
  }
}
