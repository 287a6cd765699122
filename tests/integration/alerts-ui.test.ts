// The alerts page's own forms, posted over HTTP like a browser without JavaScript would: editing a
// rule (every field, maintenance windows included) through the same schema and domain verb as the
// API, field errors rendered next to their fields, viewers refused; the history filters (rule,
// state, acknowledged, time range) as GET parameters with keyset "Load more".
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { userClient } from "../setup/containers";
import { Client, setUpServer, startServer, type TestServer } from "../setup/server";

let server: TestServer;
let admin: Client;
let viewer: Client;
let db: pg.Client;
let orgId: string;

beforeAll(async () => {
  server = await startServer({ env: { DOCKER_HOST: inject("dockerHost"), NGINX_MODE: "off", ALERTS_ALLOWED_HOSTS: "127.0.0.1:9" } });
  admin = await setUpServer(server);
  viewer = await userClient(server, admin, "viewer", "alerts-ui-viewer@example.com");
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  orgId = (await db.query<{ id: string }>(`SELECT id FROM "Organization" LIMIT 1`)).rows[0]!.id;
});

afterAll(async () => {
  await server?.stop();
  await db?.end();
});

/** Posts a form with repeated fields (checkbox groups), like a browser does. */
function postForm(client: Client, path: string, fields: [string, string][]): Promise<Response> {
  return client.request(path, {
    method: "POST",
    body: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", origin: client.base },
  });
}

async function channel(name: string): Promise<string> {
  const res = await admin.post("/api/v1/alerts/channels", { name, type: "webhook", config: { url: `http://127.0.0.1:9/${name}` } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function rule(body: Record<string, unknown>): Promise<string> {
  const res = await admin.post("/api/v1/alerts/rules", body);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function getRule(id: string): Promise<Record<string, unknown>> {
  const res = await admin.request(`/api/v1/alerts/rules/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** The opening tag of the form control called `name` in the page. */
function control(html: string, name: string): string {
  const m = new RegExp(`<(input|select)[^>]*name="${name.replace(/\./g, "\\.")}"[^>]*>`).exec(html);
  expect(m, `control ${name}`).not.toBeNull();
  return m![0];
}

/** The error text that the control's aria-describedby points at. */
function errorOf(html: string, name: string): string {
  const tag = control(html, name);
  expect(tag, name).toMatch(/aria-invalid="true"/);
  const described = /aria-describedby="([^"]+)"/.exec(tag)?.[1];
  expect(described, name).toBeTruthy();
  const text = new RegExp(`id="${described!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"[^>]*>([^<]*)<`).exec(html)?.[1];
  return (text ?? "")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

describe("editing a rule on the page", () => {
  test("every field, including one-off and weekly maintenance windows, is saved through the page's form", async () => {
    const a = await channel("ui-a");
    const b = await channel("ui-b");
    const id = await rule({ name: "cpu busy", type: "cpu", threshold: 80, windowSeconds: 300, channelIds: [a], scope: { all: true } });

    // The page opens the rule's form on ?edit=<id>, filled with the rule.
    const page = await (await admin.request(`/alerts?tab=rules&edit=${id}`)).text();
    expect(page).toMatch(/aria-label="Edit rule cpu busy"/);
    expect(control(page, "threshold")).toMatch(/value="80"/);

    const res = await postForm(admin, `/alerts?tab=rules`, [
      ["intent", "update-rule"],
      ["id", id],
      ["enabledField", "1"],
      ["name", "memory hungry"],
      ["type", "memory"],
      ["scopeKind", "label"],
      ["scopeValue", "team=ops"],
      ["threshold", "75.5"],
      ["windowSeconds", "600"],
      ["cooldownSeconds", "120"],
      ["channelIds", b],
      ["notifyOnResolve", "on"],
      // "enabled" left unchecked: the rule is switched off
      ["maintenance.0.kind", "once"],
      ["maintenance.0.start", "2026-12-24T18:00"],
      ["maintenance.0.end", "2026-12-26T08:00"],
      ["maintenance.1.kind", "weekly"],
      ["maintenance.1.weekdays", "0"],
      ["maintenance.1.weekdays", "6"],
      ["maintenance.1.from", "22:00"],
      ["maintenance.1.to", "02:00"],
    ]);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Rule memory hungry was saved\./);
    expect(await getRule(id)).toMatchObject({
      name: "memory hungry",
      type: "memory",
      scope: { label: "team=ops" },
      threshold: 75.5,
      windowSeconds: 600,
      cooldownSeconds: 120,
      channelIds: [b],
      notifyOnResolve: true,
      enabled: false,
      maintenance: [
        { start: "2026-12-24T18:00:00.000Z", end: "2026-12-26T08:00:00.000Z" },
        { weekdays: [0, 6], from: "22:00", to: "02:00" },
      ],
    });

    // The form shows the stored windows back (weekly days checked, UTC times) for the next edit.
    const again = await (await admin.request(`/alerts?tab=rules&edit=${id}`)).text();
    expect(control(again, "maintenance.0.start")).toMatch(/value="2026-12-24T18:00"/);
    expect(control(again, "maintenance.1.from")).toMatch(/value="22:00"/);
    const days = [...again.matchAll(/<input[^>]*name="maintenance\.1\.weekdays"[^>]*>/g)].map((m) => m[0]);
    expect(days).toHaveLength(7);
    expect(days.filter((d) => d.includes('checked=""')).map((d) => /value="(\d)"/.exec(d)![1])).toEqual(["0", "6"]);

    // Removing every window and switching back on, with a type that needs no threshold or window.
    const res2 = await postForm(admin, `/alerts?tab=rules`, [
      ["intent", "update-rule"],
      ["id", id],
      ["enabledField", "1"],
      ["enabled", "on"],
      ["name", "crashes"],
      ["type", "container_crash"],
      ["scopeKind", "namePattern"],
      ["scopeValue", "alerts-ui-none-*"],
      ["cooldownSeconds", "900"],
    ]);
    expect(await res2.text()).toMatch(/Rule crashes was saved\./);
    expect(await getRule(id)).toMatchObject({
      name: "crashes",
      type: "container_crash",
      scope: { namePattern: "alerts-ui-none-*" },
      threshold: null,
      windowSeconds: 600,
      channelIds: [],
      notifyOnResolve: false,
      enabled: true,
      maintenance: [],
    });

    const audit = await db.query<{ details: { changed: string[] } }>(`SELECT details FROM "AuditLog" WHERE action = 'alert.rule.update' AND "targetId" = $1 ORDER BY id`, [id]);
    expect(audit.rows).toHaveLength(2);
    expect(audit.rows[0]!.details.changed).toEqual(
      expect.arrayContaining(["name", "type", "scope", "threshold", "windowSeconds", "cooldownSeconds", "channelIds", "notifyOnResolve", "enabled", "maintenance"])
    );
  });

  test("refusals come back next to their fields and change nothing", async () => {
    const id = await rule({ name: "cpu strict", type: "cpu", threshold: 90, windowSeconds: 300, scope: { stack: "shop" } });
    const before = await getRule(id);
    const res = await postForm(admin, `/alerts?tab=rules`, [
      ["intent", "update-rule"],
      ["id", id],
      ["enabledField", "1"],
      ["enabled", "on"],
      ["name", "cpu strict"],
      ["type", "cpu"],
      ["scopeKind", "stack"],
      ["scopeValue", ""],
      ["threshold", ""],
      ["windowSeconds", "5"],
      ["cooldownSeconds", "900"],
      ["maintenance.0.kind", "weekly"],
      ["maintenance.0.from", "25:00"],
      ["maintenance.0.to", "02:00"],
      ["maintenance.1.kind", "once"],
      ["maintenance.1.start", "2026-12-26T08:00"],
      ["maintenance.1.end", "2026-12-24T08:00"],
      ["maintenance.2.kind", "once"],
      ["maintenance.2.start", "not a time"],
      ["maintenance.2.end", "2026-12-24T08:00"],
    ]);
    expect(res.status).toBe(200);
    const html = await res.text();
    // Without JavaScript the refused form is rendered open, each message tied to its control.
    expect(html).toMatch(/aria-label="Edit rule cpu strict"/);
    expect(errorOf(html, "scopeValue")).toMatch(/stack's name/);
    expect(errorOf(html, "windowSeconds")).toMatch(/At least 10 seconds/);
    expect(errorOf(html, "maintenance.0.from")).toMatch(/HH:MM/);
    expect(errorOf(html, "maintenance.1.end")).toMatch(/end must be after the start/);
    expect(errorOf(html, "maintenance.2.start")).toMatch(/date and time/);
    expect(html).toMatch(/Pick at least one day\./);
    expect(await getRule(id)).toEqual(before);

    // A merged rule must still be complete: a cpu rule cannot lose its threshold.
    const res2 = await postForm(admin, `/alerts?tab=rules`, [
      ["intent", "update-rule"],
      ["id", id],
      ["name", "cpu strict"],
      ["type", "cpu"],
      ["scopeKind", "all"],
      ["threshold", ""],
    ]);
    expect(errorOf(await res2.text(), "threshold")).toMatch(/Set a threshold/);
    expect(await getRule(id)).toEqual(before);
  });

  test("a viewer cannot edit, and sees no edit controls", async () => {
    const id = await rule({ name: "viewer target", type: "container_stopped" });
    const page = await (await viewer.request(`/alerts?tab=rules&edit=${id}`)).text();
    expect(page).toMatch(/viewer target/);
    expect(page).not.toMatch(/Edit rule viewer target/);
    expect(page).not.toMatch(/>Edit</);
    const res = await postForm(viewer, `/alerts?tab=rules`, [
      ["intent", "update-rule"],
      ["id", id],
      ["name", "taken over"],
      ["type", "container_stopped"],
    ]);
    expect(res.status).toBe(403);
    expect((await getRule(id)).name).toBe("viewer target");
  });

  test("an unknown rule id is a not-found message, not an error page", async () => {
    const res = await postForm(admin, `/alerts?tab=rules`, [
      ["intent", "update-rule"],
      ["id", randomUUID()],
      ["name", "ghost"],
      ["type", "container_crash"],
    ]);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/No such rule\./);
  });
});

describe("history filters on the page", () => {
  let ruleA: string;
  let ruleB: string;
  const day = (d: number, h = 12) => new Date(Date.UTC(2026, 9, d, h)).toISOString();

  beforeAll(async () => {
    // Scoped to no real container: only the rows written below belong to these rules.
    ruleA = await rule({ name: "history A", type: "container_crash", scope: { namePattern: "alerts-ui-none-*" } });
    ruleB = await rule({ name: "history B", type: "container_stopped", scope: { namePattern: "alerts-ui-none-*" } });
    // 60 firing, unacknowledged alerts of rule A on Oct 10–12 (more than one page of 50); some
    // others that each filter must leave out.
    const rows: unknown[][] = [];
    for (let i = 0; i < 60; i++)
      rows.push([ruleA, "history A", "container_crash", `hist-a-${i}`, "firing", new Date(Date.parse(day(10 + (i % 3))) + i * 1000).toISOString(), null]);
    rows.push([ruleA, "history A", "container_crash", "hist-a-resolved", "resolved", day(11), null]);
    rows.push([ruleA, "history A", "container_crash", "hist-a-acked", "firing", day(11), day(11, 13)]);
    rows.push([ruleA, "history A", "container_crash", "hist-a-early", "firing", day(2), null]);
    rows.push([ruleB, "history B", "container_stopped", "hist-b", "firing", day(11), null]);
    for (const [rid, rname, rtype, target, state, firedAt, ackAt] of rows) {
      await db.query(
        `INSERT INTO "AlertEvent" (id, "orgId", "ruleId", "ruleName", "ruleType", target, "targetName", state, message, "firedAt", "resolvedAt", "acknowledgedAt", "acknowledgedBy")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'test', $9, $10, $11, $12)`,
        [randomUUID(), orgId, rid, rname, rtype, `container:${target}`, target, state, firedAt, state === "resolved" ? firedAt : null, ackAt, ackAt ? "admin@example.com" : null]
      );
    }
  });

  const targets = (html: string) => [...html.matchAll(/data-testid="alert-row" data-target="([^"]+)"/g)].map((m) => m[1]!);
  const loadMore = (html: string) => {
    const m = /href="(\/alerts\?[^"]*cursor=[^"]*)"[^>]*>Load more</.exec(html);
    return m ? m[1]!.replace(/&amp;/g, "&") : null;
  };

  test("rule, state, acknowledged and the time range narrow the list; Load more keeps the filters", async () => {
    const query = `tab=history&ruleId=${ruleA}&state=firing&acknowledged=false&from=2026-10-10&to=2026-10-12`;
    const first = await (await admin.request(`/alerts?${query}`)).text();
    const page1 = targets(first);
    expect(page1).toHaveLength(50);
    expect(page1.every((t) => /^hist-a-\d+$/.test(t))).toBe(true);
    // the filter form shows what is applied
    expect(control(first, "state")).toBeTruthy();
    expect(first).toMatch(new RegExp(`<option value="${ruleA}" selected=""`));
    expect(control(first, "from")).toMatch(/value="2026-10-10"/);

    const next = loadMore(first);
    expect(next).toBeTruthy();
    const params = new URL(next!, server.url).searchParams;
    for (const [k, v] of new URLSearchParams(query)) expect(params.get(k), k).toBe(v);
    const second = await (await admin.request(next!)).text();
    const page2 = targets(second);
    expect(page2).toHaveLength(10);
    expect(loadMore(second)).toBeNull();
    expect(new Set([...page1, ...page2]).size).toBe(60);

    // each filter on its own
    expect(targets(await (await admin.request(`/alerts?tab=history&state=resolved&ruleId=${ruleA}`)).text())).toEqual(["hist-a-resolved"]);
    expect(targets(await (await admin.request(`/alerts?tab=history&acknowledged=true&ruleId=${ruleA}`)).text())).toEqual(["hist-a-acked"]);
    expect(targets(await (await admin.request(`/alerts?tab=history&ruleId=${ruleB}`)).text())).toEqual(["hist-b"]);
    expect(targets(await (await admin.request(`/alerts?tab=history&to=2026-10-09`)).text())).toEqual(["hist-a-early"]);
    expect(targets(await (await admin.request(`/alerts?tab=history&from=2026-10-11&to=2026-10-11&ruleId=${ruleA}&state=firing`)).text())).toHaveLength(21);

    // the API takes the same range
    const api = (await (await admin.request(`/api/v1/alerts/history?from=2026-10-01T00:00:00Z&to=2026-10-09T23:59:59Z`)).json()) as { items: { target: string }[] };
    expect(api.items.map((i) => i.target)).toEqual(["hist-a-early"]);
  });

  test("a bad filter is reported at its field, with no rows", async () => {
    const html = await (await admin.request(`/alerts?tab=history&from=2026-10-12&to=2026-10-10`)).text();
    expect(errorOf(html, "to")).toMatch(/must not be before the start/);
    expect(targets(html)).toHaveLength(0);
    expect(errorOf(await (await admin.request(`/alerts?tab=history&ruleId=nope`)).text(), "ruleId")).toBeTruthy();
  });
});
