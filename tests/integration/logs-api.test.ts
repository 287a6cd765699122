// The logs REST API against the real server: listing with keyset pagination, 400 on an invalid
// regex, 403 for a viewer, streamed exports, retention settings and usage.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import pg from "pg";
import { startServer, setUpServer, type Client, type TestServer } from "../setup/server";
import { userClient } from "../setup/containers";

let server: TestServer;
let admin: Client;
let viewer: Client;
let orgId: string;

beforeAll(async () => {
  server = await startServer();
  admin = await setUpServer(server);
  viewer = await userClient(server, admin, "viewer", "viewer@example.com");
  orgId = ((await (await admin.request("/api/v1/me")).json()) as { org: { id: string } }).org.id;
  // Lines written as the database owner would be by the collector (the domain tests cover that path).
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  await db.query("SELECT log_line_ensure_partitions((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date)");
  await db.query(
    `INSERT INTO "LogLine" ("orgId", "time", "agentId", "containerId", "containerName", "stream", "level", "message")
     SELECT $1, now() - (i || ' seconds')::interval, 'agent-1', 'c1', 'web', CASE WHEN i % 2 = 0 THEN 'stdout' ELSE 'stderr' END,
            CASE WHEN i % 5 = 0 THEN 'error' ELSE 'info' END, 'line ' || i || CASE WHEN i = 7 THEN ' needle-42' ELSE '' END
       FROM generate_series(1, 30) i`,
    [orgId],
  );
  await db.query(`INSERT INTO "LogUsage" ("orgId", "day", "lines", "bytes") VALUES ($1, (now() AT TIME ZONE 'UTC')::date, 30, 300)`, [orgId]);
  await db.end();
});

afterAll(async () => {
  await server?.stop();
});

describe("GET /api/v1/logs", () => {
  test("lists lines newest first in the contract's shape and pages with nextCursor", async () => {
    const res = await admin.request("/api/v1/logs?limit=20");
    expect(res.status).toBe(200);
    const first = (await res.json()) as { items: { time: string; message: string }[]; nextCursor: string | null };
    expect(first.items).toHaveLength(20);
    expect(first.items[0]).toMatchObject({ source: { agentId: "agent-1", containerId: "c1", containerName: "web" }, stream: "stderr", level: "info", message: "line 1" });
    expect(first.nextCursor).toBeTruthy();
    const second = (await (await admin.request(`/api/v1/logs?limit=20&cursor=${first.nextCursor}`)).json()) as typeof first;
    expect(second.items.map((l) => l.message)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${21 + i}`));
    expect(second.nextCursor).toBeNull();
  });

  test("filters by level, container (repeatable) and text", async () => {
    const errors = (await (await admin.request("/api/v1/logs?level=error&containerId=c1&containerId=c2")).json()) as { items: { level: string }[] };
    expect(errors.items).toHaveLength(6);
    const found = (await (await admin.request("/api/v1/logs?q=NEEDLE-42")).json()) as { items: { message: string }[] };
    expect(found.items.map((l) => l.message)).toEqual(["line 7 needle-42"]);
    const regex = (await (await admin.request(`/api/v1/logs?regex=true&q=${encodeURIComponent("^line 2[0-2]$")}`)).json()) as { items: { message: string }[] };
    expect(regex.items.map((l) => l.message)).toEqual(["line 20", "line 21", "line 22"]);
  });

  test("an invalid regular expression is a 400 with a message", async () => {
    for (const q of ["(unclosed", "(?<name>x)"]) {
      const res = await admin.request(`/api/v1/logs?regex=true&q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("validation_failed");
      expect(body.error.message).toMatch(/regular expression/);
    }
    const exported = await admin.request(`/api/v1/logs/export?format=csv&regex=true&q=${encodeURIComponent("(?<name>x)")}`);
    expect(exported.status).toBe(400);
  });

  test("a viewer gets 403 everywhere, an anonymous caller 401", async () => {
    for (const path of ["/api/v1/logs", "/api/v1/logs/export?format=csv", "/api/v1/logs/settings", "/api/v1/logs/usage"]) {
      expect((await viewer.request(path)).status, path).toBe(403);
      expect((await fetch(server.url + path)).status, path).toBe(401);
    }
    expect((await viewer.request("/api/v1/logs/settings", { method: "PATCH", json: { retentionDays: 3 } })).status).toBe(403);
  });
});

describe("export, settings and usage", () => {
  test("exports stream as NDJSON and CSV with the query's lines", async () => {
    const ndjson = await admin.request("/api/v1/logs/export?format=ndjson&level=error");
    expect(ndjson.status).toBe(200);
    expect(ndjson.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await ndjson.text()).trim().split("\n").map((l) => JSON.parse(l) as { level: string });
    expect(lines).toHaveLength(6);
    expect(lines.every((l) => l.level === "error")).toBe(true);
    const csv = await admin.request("/api/v1/logs/export?format=csv");
    expect(csv.headers.get("content-disposition")).toMatch(/attachment; filename="infrapilot-logs-.*\.csv"/);
    const rows = (await csv.text()).trim().split("\n");
    expect(rows[0]).toBe("time,agentId,containerId,containerName,stack,proxyHostId,stream,level,message");
    expect(rows).toHaveLength(31);
  });

  test("retention is 7 days by default, changes with PATCH and is validated", async () => {
    expect(await (await admin.request("/api/v1/logs/settings")).json()).toEqual({ retentionDays: 7 });
    const patched = await admin.request("/api/v1/logs/settings", { method: "PATCH", json: { retentionDays: 30 } });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toEqual({ retentionDays: 30 });
    expect(await (await admin.request("/api/v1/logs/settings")).json()).toEqual({ retentionDays: 30 });
    const bad = await admin.request("/api/v1/logs/settings", { method: "PATCH", json: { retentionDays: 0 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields.retentionDays).toBeTruthy();
  });

  test("usage lists lines and bytes per day", async () => {
    const body = (await (await admin.request("/api/v1/logs/usage")).json()) as { items: { date: string; lines: number; bytes: number }[] };
    expect(body.items[0]).toEqual({ date: new Date().toISOString().slice(0, 10), lines: 30, bytes: 300 });
  });

  test("the Logs page shows the history to an admin and refuses a viewer", async () => {
    const res = await admin.request("/logs?q=needle-42&range=all");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("needle-42");
    expect(html).not.toContain("line 8<");
    expect((await viewer.request("/logs")).status).toBe(403);
  });
});

describe("the remaining filters, through the search function", () => {
  // Added here, after the tests above that count every line of the organization.
  beforeAll(async () => {
    const db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    // A second agent's stack (one line yesterday) and a proxy host's access log.
    await db.query(
      `INSERT INTO "LogLine" ("orgId", "time", "agentId", "containerId", "containerName", "stack", "proxyHostId", "stream", "level", "message")
       VALUES ($1, now() - interval '2 hours', 'agent-2', 'c9', 'db', 'shop', NULL, 'stdout', 'info', 'shop db ready'),
              ($1, now() - interval '3 hours', NULL, NULL, NULL, NULL, 'ph-1', 'access', 'info', 'GET /shop 200'),
              ($1, now() - interval '30 hours', 'agent-2', 'c9', 'db', 'shop', NULL, 'stdout', 'warn', 'shop db slow query yesterday')`,
      [orgId],
    );
    await db.end();
  });

  type Page = { items: { message: string; stream: string; source: Record<string, string | null> }[]; nextCursor: string | null };
  const messages = async (query: string) => {
    const res = await admin.request(`/api/v1/logs?${query}`);
    expect(res.status, query).toBe(200);
    return ((await res.json()) as Page).items.map((l) => l.message);
  };

  test("agent, stack, proxy host and time range, alone and with text or regex", async () => {
    expect(await messages("agentId=agent-2")).toEqual(["shop db ready", "shop db slow query yesterday"]);
    expect(await messages("stack=shop&q=SLOW")).toEqual(["shop db slow query yesterday"]);
    const proxy = (await (await admin.request("/api/v1/logs?proxyHostId=ph-1")).json()) as Page;
    expect(proxy.items).toEqual([expect.objectContaining({ message: "GET /shop 200", source: { proxyHostId: "ph-1" }, stream: "access" })]);
    const from = new Date(Date.now() - 26 * 3_600_000).toISOString();
    const to = new Date(Date.now() - 90 * 60_000).toISOString();
    expect(await messages(`q=shop&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).toEqual(["shop db ready", "GET /shop 200"]);
    expect(await messages(`regex=true&q=${encodeURIComponent("^shop db (ready|slow)")}&containerId=c9&level=warn`)).toEqual(["shop db slow query yesterday"]);
  });

  test("keyset pages of a text search (searched in time windows) give the same lines as one page, and so does the export", async () => {
    const all = await messages("q=shop&limit=500");
    expect(all).toEqual(["shop db ready", "GET /shop 200", "shop db slow query yesterday"]);
    const paged: string[] = [];
    let cursor = "";
    do {
      const page = (await (await admin.request(`/api/v1/logs?q=shop&limit=1${cursor ? `&cursor=${cursor}` : ""}`)).json()) as Page;
      paged.push(...page.items.map((l) => l.message));
      cursor = page.nextCursor ?? "";
    } while (cursor);
    expect(paged).toEqual(all);
    const exported = (await (await admin.request("/api/v1/logs/export?format=ndjson&q=shop")).text()).trim().split("\n").map((l) => (JSON.parse(l) as { message: string }).message);
    expect(exported).toEqual(all);
  });

  test("a forged cursor is a 400, never a 500", async () => {
    const forged = (text: string) => Buffer.from(text).toString("base64url");
    for (const cursor of [forged("1|1"), forged("2026-11-25T00:00:00.000000Z|99999999999999999999"), forged("2026-11-25T00:00:00Z|9223372036854775808"), forged("now|1"), "x"]) {
      const res = await admin.request(`/api/v1/logs?cursor=${cursor}`);
      expect(res.status, cursor).toBe(400);
    }
  });
});
