// Organization B, holding organization A's ids, gets 404 everywhere and changes nothing: for every
// API route, page loader/action and /ui socket event (the list is read from app/routes and
// app/server/realtime, so a new one without a case fails here, naming it). The cases are a table
// (cross-tenant/cases.ts); the real server runs as EDITION=saas against real PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { inject } from "vitest";
import pg from "pg";
import { io } from "socket.io-client";
import { startServer, type TestServer } from "../setup/server";
import { routeTable, socketEvents } from "./cross-tenant/route-table";
import { SUITE, type Case, type Entry, type Request, type World } from "./cross-tenant/cases";
import { A_MARKERS, createOrg, populateA, sharedMember, snapshot, targetRow, type Org } from "./cross-tenant/fixture";

let server: TestServer;
let db: pg.Client;
let a: Org;
let b: Org;
let world: World;
/** B's API token (scope admin): the API's other way in, tried on every API case too. */
let bToken: string;

beforeAll(async () => {
  server = await startServer({ env: { EDITION: "saas", DOCKER_HOST: inject("dockerHost"), ALERTS_ALLOWED_HOSTS: "127.0.0.1:9" } });
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  a = await createOrg(server, db, "a", "zz-a-admin@example.com");
  b = await createOrg(server, db, "b", "b-admin@example.com");
  world = await populateA(server, db, a, b);
  const token = await b.client.post("/api/v1/tokens", { name: "b automation", scope: "admin" });
  bToken = ((await token.json()) as { secret: string }).secret;
  expect(bToken).toMatch(/^ipt_/);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await server?.stop();
});

const discovered = [...routeTable(), ...socketEvents()];

// That every route, intent and event has an entry is checked without a server:
// tests/unit/cross-tenant-coverage.test.ts.

interface Outcome {
  status: number;
  text: string;
  ack?: { ok: boolean; error?: { code: string; message: string } };
}

async function socketEmit(event: string, payload: unknown): Promise<Outcome> {
  const socket = io(`${server.url}/ui`, { transports: ["websocket"], extraHeaders: { cookie: b.client.cookieHeader(), origin: server.url }, reconnection: false, timeout: 5000 });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.on("hello", () => resolve());
      socket.on("connect_error", reject);
    });
    const ack = (await socket.timeout(10_000).emitWithAck(event, payload)) as Outcome["ack"];
    return { status: 0, text: JSON.stringify(ack), ack };
  } finally {
    socket.close();
  }
}

async function send(req: Request, viaToken = false): Promise<Outcome> {
  if ("socket" in req) return socketEmit(req.socket, req.payload);
  if ("form" in req) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(req.fields)) for (const x of [v].flat()) body.append(k, x);
    const res = await b.client.request(req.form, { method: "POST", body: body.toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
    return { status: res.status, text: await res.text() };
  }
  if (viaToken) {
    const res = await fetch(server.url + req.path, {
      method: req.method,
      headers: { authorization: `Bearer ${bToken}`, ...(req.json !== undefined ? { "content-type": "application/json" } : {}) },
      body: req.json !== undefined ? JSON.stringify(req.json) : undefined,
      redirect: "manual",
    });
    return { status: res.status, text: await res.text() };
  }
  const res = await b.client.request(req.path, { method: req.method, ...(req.json !== undefined ? { json: req.json } : {}) });
  return { status: res.status, text: await res.text() };
}

function check(c: Case, out: Outcome) {
  const e = c.expect;
  expect(out.status, `a server error:\n${out.text.slice(0, 500)}`).not.toBe(500);
  if ("status" in e) {
    expect(out.status, out.text.slice(0, 300)).toBe(404);
    if (out.text.startsWith("{")) expect(JSON.parse(out.text).error.code).toBe("not_found");
  } else if ("field" in e) {
    expect(out.status, out.text.slice(0, 300)).toBe(400);
    expect(Object.keys(JSON.parse(out.text).error.fields ?? {})).toContain(e.field);
  } else if ("form" in e) {
    // Page actions show refusals in the form (200) or answer 404 outright; never a redirect (success).
    expect([200, 404], out.text.slice(0, 300)).toContain(out.status);
    // With 200, what the action returned is the page's actionData (at the end of the document).
    const at = out.text.lastIndexOf("actionData");
    const said = out.status === 404 ? out.text : at >= 0 ? out.text.slice(at, at + 600) : "";
    expect(e.form.test(said), `the form said: ${said || "(no action data)"}`).toBe(true);
  } else if ("refused" in e) {
    expect([401, 403], out.text.slice(0, 300)).toContain(out.status);
  } else if ("ack" in e) {
    expect(out.ack).toMatchObject({ ok: false, error: { code: "not_found" } });
  } else {
    expect(out.status).toBe(200);
  }
  for (const marker of A_MARKERS) expect(out.text, `B was shown A's ${marker}`).not.toContain(marker);
}

function entries(filter: (e: Entry) => boolean) {
  return discovered.filter((d) => SUITE[d.key] && filter(SUITE[d.key]!));
}

describe("organization B with organization A's ids", () => {
  const runs = entries((e) => "cases" in e).flatMap((route) =>
    (SUITE[route.key] as { cases: Case[] }).cases.flatMap((c) => [
      { route, c, viaToken: false },
      // API routes answer API tokens as well as sessions (except the interactive-only ones).
      ...(route.kind === "api" && !route.interactiveOnly ? [{ route, c, viaToken: true }] : []),
    ]),
  );
  for (const { route, c, viaToken } of runs) {
    test(`${route.key} — ${c.label}${viaToken ? " (B's API token)" : ""}`, async () => {
      const target = c.target?.(world);
      if (target) expect(await targetRow(db, a.orgId, target), `A's ${target.table} ${target.id} exists before`).toBeDefined();
      const beforeA = await snapshot(db, a.orgId);
      const beforeB = await snapshot(db, b.orgId, ["AuditLog"]);
      const out = await send(c.request(world), viaToken);
      check(c, out);
      expect(await snapshot(db, a.orgId), "A's data is unchanged").toEqual(beforeA);
      expect(await snapshot(db, b.orgId, ["AuditLog"]), "B gained nothing").toEqual(beforeB);
      if (c.control) {
        const req = c.request(world) as { method: string; path: string };
        const own = await a.client.request(req.path, { method: req.method });
        expect(own.status, `A's own ${req.method} ${req.path}`).toBe(200);
      }
    });
  }
});

describe("organization B's lists show nothing of A", () => {
  for (const route of entries((e) => "list" in e)) {
    test(route.key, async () => {
      const path = route.key.replace(/^GET /, "").replace(/ \(layout\)$/, "");
      const res = await b.client.request(path === "/" ? "/dashboard" : path);
      const text = await res.text();
      expect(res.status, text.slice(0, 300)).toBeLessThan(500);
      for (const marker of A_MARKERS) expect(text, `B was shown A's ${marker} at ${path}`).not.toContain(marker);
    });
  }

  test("A sees its own markers on the same lists (the check can fail)", async () => {
    // The Proxies page on A's agent (picked by default: A's only agent) and the API.
    expect(await (await a.client.request("/proxies")).text()).toContain("zz-a-secret-host.test");
    expect(await (await a.client.request(`/api/v1/agents/${a.agentId}/proxies`)).text()).toContain("zz-a-secret-host.test");
    const alerts = await (await a.client.request("/api/v1/alerts/history")).text();
    expect(alerts).toContain("zz-a-secret-alert");
  });
});

describe("a member of both organizations", () => {
  let shared: { id: string; client: Awaited<ReturnType<typeof sharedMember>>["client"] };
  beforeAll(async () => {
    shared = await sharedMember(server, db, a, b);
  });

  // B's admin may manage B's membership of the account, never the account A relies on: disabling
  // or renaming it, or forcing a password reset, would do it in A too (and could lock A's admins out).
  const refused: Array<{ label: string; request: () => Request }> = [
    { label: "PATCH disabled", request: () => ({ method: "PATCH", path: `/api/v1/users/${shared.id}`, json: { disabled: true } }) },
    { label: "PATCH name", request: () => ({ method: "PATCH", path: `/api/v1/users/${shared.id}`, json: { name: "renamed by B" } }) },
    { label: "POST reset-password", request: () => ({ method: "POST", path: `/api/v1/users/${shared.id}/reset-password`, json: {} }) },
    { label: "users page: disable", request: () => ({ form: "/users", fields: { intent: "disable", userId: shared.id } }) },
    { label: "users page: force-reset", request: () => ({ form: "/users", fields: { intent: "force-reset", userId: shared.id } }) },
  ];
  for (const r of refused) {
    test(`B is refused: ${r.label}, and A's side of the account is untouched`, async () => {
      const beforeA = await snapshot(db, a.orgId);
      const out = await send(r.request());
      expect(out.status, out.text.slice(0, 300)).not.toBe(500);
      if ("form" in r.request()) {
        const at = out.text.lastIndexOf("actionData");
        expect(out.text.slice(at, at + 600)).toMatch(/also belongs to another organization/);
      } else {
        expect(out.status, out.text.slice(0, 300)).toBe(409);
        expect(JSON.parse(out.text).error.message).toMatch(/also belongs to another organization/);
      }
      expect(await snapshot(db, a.orgId), "A's data is unchanged").toEqual(beforeA);
      expect((await shared.client.request("/api/v1/me")).status, "the member's session in A still works").toBe(200);
    });
  }

  test("B changes its own membership's role; the account's session in A carries on", async () => {
    const beforeA = await snapshot(db, a.orgId);
    const res = await b.client.request(`/api/v1/users/${shared.id}`, { method: "PATCH", json: { role: "operator" } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await snapshot(db, a.orgId), "A's data is unchanged").toEqual(beforeA);
    expect((await shared.client.request("/api/v1/me")).status).toBe(200);
    const roles = await db.query(`SELECT "orgId", role FROM "Membership" WHERE "userId" = $1`, [shared.id]);
    expect(Object.fromEntries(roles.rows.map((r) => [r.orgId, r.role]))).toEqual({ [a.orgId]: "admin", [b.orgId]: "operator" });
  });

  test("B removes the account from B; it stays A's member, signed in", async () => {
    const beforeA = await snapshot(db, a.orgId);
    const res = await b.client.request(`/api/v1/users/${shared.id}`, { method: "DELETE" });
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await snapshot(db, a.orgId), "A's data is unchanged").toEqual(beforeA);
    expect((await shared.client.request("/api/v1/me")).status).toBe(200);
  });
});
