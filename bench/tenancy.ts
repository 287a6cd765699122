// Tenancy benchmark (issue 12): does row-level security make a tenant pay for the others?
//
//   npx tsx bench/tenancy.ts [--orgs 1000] [--hosts 20] [--requests 200] [--check]
//   (npm run bench:tenancy; needs `npm run build`)
//
// Two real servers (the production build, EDITION=saas), each on its own fresh database on the
// PostgreSQL superuser at TEST_DATABASE_URL (or 127.0.0.1:5432, trust):
//   - "one":  only the measured tenant;
//   - "many": the same tenant plus `--orgs - 1` other organizations, bulk-inserted as the owner.
// Every organization has an admin (user + membership), one agent and `--hosts` proxy hosts, and
// audit rows like those the API writes. The tenant is made the same way in both (org, admin and
// agent rows in SQL, its hosts through its own API); the other organizations' rows copy the
// tenant's stored host config, so the pages read rows of the same shape. Both databases are
// ANALYZEd before measuring, as autovacuum would after a bulk load.
//
// SaaS has no built-in agent, so the tenant's agent is an agent row of its own (kind "local" for
// now: the one kind the agent seam serves; remote agents answer 503 until their transport lands)
// and DOCKER_HOST points at a socket that does not exist: container facts fail fast and the same
// way on both servers, so what is measured is the database side of each page.
//
// Measured, `--requests` times each, alternating servers request by request so machine load hits
// both alike: the tenant's proxy list (GET /api/v1/agents/:agentId/proxies), the proxies page
// loader (GET /proxies.data, Remix single fetch: the loader without HTML rendering) and the
// dashboard loader (GET /dashboard.data). p50/p95 per server; ratio p95(many)/p95(one).
// Target: ratio ≤ 1.2 for each. `--check` exits 1 on a miss.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";

const { values: args } = parseArgs({
  options: {
    orgs: { type: "string", default: "1000" },
    hosts: { type: "string", default: "20" },
    requests: { type: "string", default: "200" },
    check: { type: "boolean", default: false },
  },
});
const ORGS = Number(args.orgs);
const HOSTS = Number(args.hosts);
const REQUESTS = Number(args.requests);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PASSWORD = "tenancy bench password";
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Server {
  label: string;
  url: string;
  adminUrl: string;
  child: ChildProcess;
  dataDir: string;
  cookie: string;
  agentId: string;
}

const children: ChildProcess[] = [];
const serverLogs: Record<string, string> = {};
const cleanups: Array<() => Promise<void>> = [];
const killAll = () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
};
process.on("exit", killAll);
process.on("SIGINT", () => {
  killAll();
  void Promise.all(cleanups.map((c) => c().catch(() => {}))).then(() => process.exit(130));
});

const adminBase = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const superuser = new pg.Client({ connectionString: adminBase });
await superuser.connect();

async function startServer(label: string): Promise<Server> {
  const dbName = `ip_bench_tenancy_${label}_${Date.now().toString(36)}`;
  await superuser.query(`CREATE DATABASE ${dbName}`);
  const adminUrl = Object.assign(new URL(adminBase), { pathname: `/${dbName}` }).toString();
  const dataDir = mkdtempSync(join(tmpdir(), `infrapilot-bench-tenancy-${label}-`));
  cleanups.push(async () => {
    await superuser.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(ROOT, "build", "server.js")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      EDITION: "saas",
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: url,
      DATA_DIR: dataDir,
      DATABASE_URL: adminUrl,
      NGINX_MODE: "off",
      DOCKER_HOST: `unix://${join(dataDir, "no-docker.sock")}`,
      LOG_LEVEL: "error",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  // Its log (nginx is off, so every apply says so) is shown only if the run fails.
  child.stderr!.on("data", (d: Buffer) => (serverLogs[label] = (serverLogs[label] + d).slice(-4000)));
  serverLogs[label] = "";
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${label} server exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${label} server not ready in 120 s`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { label, url, adminUrl, child, dataDir, cookie: "", agentId: "" };
}

async function request(server: Server, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (server.cookie) headers.set("cookie", server.cookie);
  if (init.method && init.method !== "GET") headers.set("origin", server.url);
  return fetch(server.url + path, { ...init, headers, redirect: "manual" });
}

/** The measured tenant: org, admin and agent rows as the owner, then its hosts through its own API. */
async function seedTenant(server: Server, db: pg.Client, hash: string): Promise<void> {
  const orgId = randomUUID();
  const userId = randomUUID();
  server.agentId = randomUUID();
  await db.query(`INSERT INTO "Organization" (id, name, slug) VALUES ($1, 'Tenant', 'tenant')`, [orgId]);
  await db.query(`INSERT INTO "User" (id, email, name, "passwordHash") VALUES ($1, 'tenant@example.com', 'Tenant admin', $2)`, [userId, hash]);
  await db.query(`INSERT INTO "Membership" (id, "orgId", "userId", role) VALUES ($1, $2, $3, 'super_admin')`, [randomUUID(), orgId, userId]);
  await db.query(`INSERT INTO "Agent" (id, "orgId", name, kind) VALUES ($1, $2, 'local', 'local')`, [server.agentId, orgId]);
  const login = await request(server, "/api/v1/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "tenant@example.com", password: PASSWORD }) });
  if (login.status !== 200) throw new Error(`tenant login failed: ${login.status} ${await login.text()}`);
  server.cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  for (let i = 1; i <= HOSTS; i++) {
    const res = await request(server, `/api/v1/agents/${server.agentId}/proxies?wait=false`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "proxy", domains: [`app${i}.tenant.test`], upstream: { scheme: "http", host: "10.0.0.1", port: 8000 + i } }),
    });
    if (res.status !== 201) throw new Error(`creating host ${i} failed: ${res.status} ${await res.text()}`);
  }
}

/** `count` other organizations, each with an admin, an agent, HOSTS hosts and audit rows like the tenant's. */
async function seedOthers(db: pg.Client, count: number, hash: string): Promise<void> {
  if (count <= 0) return;
  await db.query("BEGIN");
  await db.query(`CREATE TEMP TABLE bench_org ON COMMIT DROP AS SELECT gen_random_uuid()::text AS id, i FROM generate_series(1, $1) AS i`, [count]);
  await db.query(`INSERT INTO "Organization" (id, name, slug) SELECT id, 'Org ' || i, 'org-' || i FROM bench_org`);
  await db.query(`INSERT INTO "User" (id, email, name, "passwordHash") SELECT id, 'admin-' || i || '@example.com', 'Admin ' || i, $1 FROM bench_org`, [hash]);
  await db.query(`INSERT INTO "Membership" (id, "orgId", "userId", role) SELECT gen_random_uuid()::text, id, id, 'super_admin' FROM bench_org`);
  await db.query(`INSERT INTO "Agent" (id, "orgId", name, kind) SELECT gen_random_uuid()::text, id, 'local', 'local' FROM bench_org`);
  // Each host copies the tenant's stored shape (config, status), with its own domain.
  await db.query(
    `INSERT INTO "ProxyHost" (id, "orgId", "agentId", kind, domains, enabled, config, advanced, status, "statusMessage", "appliedAt", "createdAt", "updatedAt")
     SELECT gen_random_uuid()::text, a."orgId", a.id, t.kind, ARRAY['app' || g || '.org-' || o.i || '.test'], t.enabled, t.config, t.advanced, t.status, t."statusMessage", t."appliedAt", now(), now()
     FROM bench_org o JOIN "Agent" a ON a."orgId" = o.id
     CROSS JOIN generate_series(1, $1) AS g
     CROSS JOIN LATERAL (SELECT * FROM "ProxyHost" ORDER BY "createdAt" LIMIT 1) t`,
    [HOSTS],
  );
  await db.query(
    `INSERT INTO "ProxyApplyState" ("agentId", "orgId", state, "appliedAt", "updatedAt") SELECT a.id, a."orgId", 'ok', now(), now() FROM "Agent" a JOIN bench_org o ON o.id = a."orgId"`,
  );
  // As many audit rows per organization as the tenant has (its logins and host creations).
  await db.query(
    `INSERT INTO "AuditLog" ("orgId", time, "actorId", action, "targetType", "targetId", outcome, details)
     SELECT o.id, t.time, o.id, t.action, t."targetType", t."targetId", t.outcome, t.details
     FROM bench_org o CROSS JOIN (SELECT * FROM "AuditLog" WHERE "orgId" IS NOT NULL) t`,
  );
  await db.query("COMMIT");
}

async function counts(db: pg.Client): Promise<Record<string, number>> {
  const { rows } = await db.query<{ t: string; n: string }>(
    `SELECT 'organizations' AS t, count(*) AS n FROM "Organization" UNION ALL SELECT 'proxy hosts', count(*) FROM "ProxyHost"
     UNION ALL SELECT 'users', count(*) FROM "User" UNION ALL SELECT 'audit rows', count(*) FROM "AuditLog"`,
  );
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

const ENDPOINTS: Array<{ name: string; path: (s: Server) => string; check: (body: string) => boolean }> = [
  { name: "proxy list (GET /api/v1/agents/:agentId/proxies)", path: (s) => `/api/v1/agents/${s.agentId}/proxies`, check: (b) => (JSON.parse(b) as { items: unknown[] }).items.length === HOSTS },
  { name: "proxies page loader (GET /proxies.data)", path: () => "/proxies.data", check: (b) => b.includes("app1.tenant.test") && !b.includes(".org-") },
  { name: "dashboard loader (GET /dashboard.data)", path: () => "/dashboard.data", check: (b) => b.includes("Tenant") },
];

async function timed(server: Server, path: string): Promise<{ ms: number; body: string; status: number }> {
  const t0 = performance.now();
  const res = await request(server, path);
  const body = await res.text();
  return { ms: performance.now() - t0, body, status: res.status };
}

/**
 * What the tenant's queries read, as the app role under RLS (the owner's session with SET ROLE):
 * shared buffers touched and the plan's access path. Unlike latency this does not depend on the
 * machine's load: if a tenant paid for the others, it would show here as more buffers.
 */
const PLANS: Array<{ name: string; sql: string; params: (s: Server) => unknown[] }> = [
  { name: "proxy hosts of the agent", sql: `SELECT * FROM "ProxyHost" WHERE "agentId" = $1 ORDER BY "createdAt"`, params: (s) => [s.agentId] },
  { name: "the agent by id", sql: `SELECT * FROM "Agent" WHERE id = $1 AND "orgId" = current_setting('app.org_id', true)`, params: (s) => [s.agentId] },
  { name: "agents", sql: `SELECT * FROM "Agent" ORDER BY name`, params: () => [] },
  { name: "members (count)", sql: `SELECT count(*) FROM "Membership"`, params: () => [] },
  { name: "recent audit rows", sql: `SELECT * FROM "AuditLog" ORDER BY time DESC LIMIT 10`, params: () => [] },
  { name: "certificates by expiry", sql: `SELECT * FROM "Certificate" ORDER BY "notAfter"`, params: () => [] },
  { name: "firing alerts", sql: `SELECT * FROM "AlertEvent" WHERE "resolvedAt" IS NULL ORDER BY "firedAt" DESC LIMIT 20`, params: () => [] },
  { name: "monitors", sql: `SELECT * FROM "Monitor"`, params: () => [] },
  { name: "proxy hosts (all of the org's)", sql: `SELECT * FROM "ProxyHost" ORDER BY "createdAt"`, params: () => [] },
];

interface PlanFacts {
  buffers: number;
  rows: number;
  access: string;
}

async function planFacts(db: pg.Client, role: string, orgId: string, sql: string, params: unknown[]): Promise<PlanFacts> {
  await db.query("BEGIN");
  try {
    await db.query(`SET LOCAL ROLE "${role}"`);
    await db.query(`SELECT set_config('app.org_id', $1, true)`, [orgId]);
    const { rows } = await db.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
    const plan = rows[0]!["QUERY PLAN"][0]!.Plan;
    const scans: string[] = [];
    const walk = (n: PlanNode) => {
      if (/Scan/.test(n["Node Type"])) scans.push(`${n["Node Type"]}${n["Index Name"] ? ` ${n["Index Name"]}` : ""}`);
      for (const c of n.Plans ?? []) walk(c);
    };
    walk(plan);
    return { buffers: (plan["Shared Hit Blocks"] ?? 0) + (plan["Shared Read Blocks"] ?? 0), rows: plan["Actual Rows"], access: scans.join(", ") };
  } finally {
    await db.query("ROLLBACK");
  }
}

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Actual Rows": number;
  "Shared Hit Blocks"?: number;
  "Shared Read Blocks"?: number;
  Plans?: PlanNode[];
}

const load0 = loadavg();
const started = Date.now();
let exitCode = 0;
try {
  const { hashPassword } = await import("~/server/auth/password.server");
  const { appRoleName } = await import("~/server/db/bootstrap.server");
  const hash = await hashPassword(PASSWORD);
  const [one, many] = [await startServer("one"), await startServer("many")];
  const dbs = new Map<Server, pg.Client>();
  for (const s of [one, many]) {
    const db = new pg.Client({ connectionString: s.adminUrl });
    await db.connect();
    cleanups.unshift(() => db.end());
    dbs.set(s, db);
    await seedTenant(s, db, hash);
  }
  const seedStart = Date.now();
  await seedOthers(dbs.get(many)!, ORGS - 1, hash);
  const seedMs = Date.now() - seedStart;
  for (const db of dbs.values()) await db.query("ANALYZE");

  const lat = new Map<string, number[]>();
  for (const e of ENDPOINTS) {
    for (const s of [one, many]) {
      lat.set(`${e.name}|${s.label}`, []);
      const first = await timed(s, e.path(s));
      if (first.status !== 200 || !e.check(first.body)) throw new Error(`${s.label}: ${e.name} answered ${first.status}: ${first.body.slice(0, 300)}`);
    }
  }
  // Warm-up (JIT, plan caches, pool connections), not recorded.
  for (let i = 0; i < 20; i++) for (const e of ENDPOINTS) for (const s of [one, many]) await timed(s, e.path(s));
  for (let i = 0; i < REQUESTS; i++) {
    for (const e of ENDPOINTS) {
      // Alternate which server goes first, so neither always gets the warmer cache line.
      for (const s of i % 2 ? [one, many] : [many, one]) {
        const r = await timed(s, e.path(s));
        if (r.status !== 200) throw new Error(`${s.label}: ${e.name} answered ${r.status}`);
        lat.get(`${e.name}|${s.label}`)!.push(r.ms);
      }
    }
  }

  const planRows: string[] = [];
  for (const q of PLANS) {
    const facts: PlanFacts[] = [];
    for (const s of [one, many]) {
      const db = dbs.get(s)!;
      const dbName = new URL(s.adminUrl).pathname.slice(1);
      const orgId = (await db.query<{ id: string }>(`SELECT id FROM "Organization" WHERE slug = 'tenant'`)).rows[0]!.id;
      const role = appRoleName(dbName);
      facts.push(await planFacts(db, role, orgId, q.sql, q.params(s)));
    }
    const [a, b] = facts as [PlanFacts, PlanFacts];
    planRows.push(`| ${q.name} | ${a.rows} | ${a.buffers} | ${b.buffers} | ${b.access || "(none)"} |`);
  }

  const cOne = await counts(dbs.get(one)!);
  const cMany = await counts(dbs.get(many)!);
  const pgVersion = (await superuser.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
  console.log(`\nTenancy benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, PostgreSQL ${pgVersion}`);
  console.log(`load average at start ${load0.map((l) => l.toFixed(1)).join(" ")}, at end ${loadavg().map((l) => l.toFixed(1)).join(" ")}; run ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`"one":  ${JSON.stringify(cOne)}`);
  console.log(`"many": ${JSON.stringify(cMany)} (bulk insert of ${ORGS - 1} organizations: ${(seedMs / 1000).toFixed(1)} s)`);
  console.log(`${REQUESTS} requests per endpoint and server, alternating servers\n`);
  console.log("| endpoint | 1 org p50 / p95 | " + `${ORGS} orgs p50 / p95 | ratio p95 | target | result |`);
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const e of ENDPOINTS) {
    const a = lat.get(`${e.name}|one`)!.sort((x, y) => x - y);
    const b = lat.get(`${e.name}|many`)!.sort((x, y) => x - y);
    const ratio = pct(b, 95) / pct(a, 95);
    const ok = ratio <= 1.2;
    if (!ok) exitCode = args.check ? 1 : exitCode;
    console.log(`| ${e.name} | ${pct(a, 50).toFixed(1)} / ${pct(a, 95).toFixed(1)} ms | ${pct(b, 50).toFixed(1)} / ${pct(b, 95).toFixed(1)} ms | ${ratio.toFixed(2)}× | ≤ 1.2× | ${ok ? "pass" : "FAIL"} |`);
  }
  console.log(`\nThe tenant's queries as the app role under RLS (EXPLAIN ANALYZE, BUFFERS): shared buffers read\n`);
  console.log(`| query | rows | buffers, 1 org | buffers, ${ORGS} orgs | access path with ${ORGS} orgs |`);
  console.log("| --- | --- | --- | --- | --- |");
  for (const r of planRows) console.log(r);
} catch (error) {
  console.error(error);
  for (const [label, log] of Object.entries(serverLogs)) if (log) console.error(`--- ${label} server log (tail) ---\n${log}`);
  exitCode = 1;
} finally {
  killAll();
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)));
  for (const c of cleanups) await c().catch((e: unknown) => console.error("cleanup:", e));
  await superuser.end();
}
process.exit(exitCode);
