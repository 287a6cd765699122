// Alert channels and rules through the REST API against the real server: SSRF refusals at save
// and at send, "Send test" over real SMTP and HTTP receivers on loopback, secrets never returned,
// permissions and audit entries.
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { createHmac, randomUUID } from "node:crypto";
import pg from "pg";
import { userClient } from "../setup/containers";
import { Client, setUpServer, startServer, type TestServer } from "../setup/server";
import { startReceivers, type Receivers } from "./alert-receivers";

let server: TestServer;
let admin: Client;
let viewer: Client;
let rx: Receivers;
let db: pg.Client;
let orgId: string;

beforeAll(async () => {
  rx = await startReceivers();
  server = await startServer({
    env: { DOCKER_HOST: inject("dockerHost"), ALERTS_ALLOWED_HOSTS: `127.0.0.1:${rx.smtpPort},127.0.0.1:${rx.httpPort}` },
  });
  admin = await setUpServer(server);
  viewer = await userClient(server, admin, "viewer", "viewer@example.com");
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  orgId = (await db.query<{ id: string }>(`SELECT id FROM "Organization" LIMIT 1`)).rows[0]!.id;
});

afterAll(async () => {
  await server?.stop();
  await db?.end();
  await rx?.close();
});

const hook = (path = "/hook") => `http://127.0.0.1:${rx.httpPort}${path}`;

async function createChannel(body: unknown): Promise<Response> {
  return admin.post("/api/v1/alerts/channels", body);
}

/** A channel row written behind the API's back, as if its destination had passed an older check. */
async function plantWebhook(url: string): Promise<string> {
  const id = randomUUID();
  await db.query(`INSERT INTO "AlertChannel" (id, "orgId", name, type, config, "updatedAt") VALUES ($1, $2, $3, 'webhook', $4, now())`, [id, orgId, `planted ${id}`, JSON.stringify({ url })]);
  return id;
}

describe("SSRF", () => {
  const refused = [
    "http://169.254.169.254/",
    "http://127.0.0.1:5432",
    "http://[::1]/",
    "http://0x7f000001/",
    "http://[::ffff:127.0.0.1]/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
  ];

  test.each(refused)("a webhook to %s is refused when saved", async (url) => {
    const res = await createChannel({ name: `bad ${url}`, type: "webhook", config: { url } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("validation_failed");
  });

  test("a hostname that resolves to 127.0.0.1 is refused at save, though 127.0.0.1 on that port is allowlisted", async () => {
    const res = await createChannel({ name: "localhost", type: "webhook", config: { url: `http://localhost:${rx.httpPort}/hook` } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/loopback/);
  });

  test.each([...refused, "http://localhost:1/"])("a stored webhook to %s is refused at send", async (url) => {
    const before = rx.requests.length;
    const id = await plantWebhook(url.replace("localhost:1", `localhost:${rx.httpPort}`));
    const res = await admin.post(`/api/v1/alerts/channels/${id}/test`, {});
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; message: string };
    expect(body.ok).toBe(false);
    expect(body.message).toMatch(/refused/);
    expect(rx.requests.length).toBe(before);
  });

  test("a redirect (to 169.254.169.254) is not followed, and says so", async () => {
    const created = await createChannel({ name: "redirects", type: "webhook", config: { url: hook("/redirect") } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const res = await admin.post(`/api/v1/alerts/channels/${id}/test`, {});
    expect(await res.json()).toEqual({ ok: false, message: "refused to follow a redirect (HTTP 302 to http://169.254.169.254/latest/meta-data/)" });
  });

  test("an SMTP server on a loopback port that is not allowlisted is refused", async () => {
    const res = await createChannel({ name: "local mail", type: "smtp", config: { host: "127.0.0.1", port: 25, tls: "none", from: "ip@example.com", to: ["ops@example.com"] } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/loopback/);
  });

  test("an SMTP recipient containing CR/LF is refused at save and at send", async () => {
    const res = await createChannel({
      name: "injected",
      type: "smtp",
      config: { host: "127.0.0.1", port: rx.smtpPort, tls: "none", from: "ip@example.com", to: ["ops@example.com\r\nBcc: everyone@example.com"] },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields["to.0"]).toMatch(/line breaks/);

    const id = randomUUID();
    const config = { host: "127.0.0.1", port: rx.smtpPort, tls: "none", from: "ip@example.com", to: ["ops@example.com\r\nBcc: everyone@example.com"] };
    await db.query(`INSERT INTO "AlertChannel" (id, "orgId", name, type, config, "updatedAt") VALUES ($1, $2, 'planted smtp', 'smtp', $3, now())`, [id, orgId, JSON.stringify(config)]);
    const mails = rx.mails.length;
    const sent = await admin.post(`/api/v1/alerts/channels/${id}/test`, {});
    expect(await sent.json()).toEqual({ ok: false, message: "refused: an e-mail address contains a line break" });
    expect(rx.mails.length).toBe(mails);
  });
});

describe("channels", () => {
  test("a webhook channel: secrets are sealed and never returned; Send test arrives signed", async () => {
    const res = await createChannel({ name: "ops hook", type: "webhook", config: { url: hook("/signed"), secret: "s3cret-hmac-key", headers: { "X-Team": "ops", Authorization: "Bearer abc" } } });
    expect(res.status).toBe(201);
    const channel = (await res.json()) as { id: string; config: Record<string, unknown>; secrets: Record<string, unknown> };
    expect(channel.config).toEqual({ url: hook("/signed") });
    expect(channel.secrets).toEqual({ secret: true, headers: ["X-Team", "Authorization"] });
    expect(JSON.stringify(await (await admin.request("/api/v1/alerts/channels")).json())).not.toMatch(/s3cret|Bearer abc/);
    const stored = await db.query<{ secretsSealed: string; config: unknown }>(`SELECT "secretsSealed", config FROM "AlertChannel" WHERE id = $1`, [channel.id]);
    expect(stored.rows[0]!.secretsSealed).toMatch(/^v1:/);
    expect(JSON.stringify(stored.rows[0])).not.toMatch(/s3cret|Bearer abc/);

    const test = await admin.post(`/api/v1/alerts/channels/${channel.id}/test`, {});
    expect(await test.json()).toEqual({ ok: true, message: "Test notification sent through ops hook." });
    const [request] = await rx.waitFor(() => rx.requests.filter((r) => r.path === "/signed"), (l) => l.length === 1);
    expect(request!.headers["x-infrapilot-signature"]).toBe(`sha256=${createHmac("sha256", "s3cret-hmac-key").update(request!.body).digest("hex")}`);
    expect(request!.headers["x-team"]).toBe("ops");
    expect(request!.headers.authorization).toBe("Bearer abc");
    expect(JSON.parse(request!.body)).toMatchObject({ event: "test", title: "[InfraPilot] Test notification" });

    // Updating the URL keeps the secret.
    const patched = await admin.request(`/api/v1/alerts/channels/${channel.id}`, { method: "PATCH", json: { config: { url: hook("/signed2") } } });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { secrets: unknown }).secrets).toEqual({ secret: true, headers: ["X-Team", "Authorization"] });
  });

  test("Send test reports the exact failure", async () => {
    const res = await createChannel({ name: "failing", type: "webhook", config: { url: hook("/fail") } });
    const { id } = (await res.json()) as { id: string };
    expect(await (await admin.post(`/api/v1/alerts/channels/${id}/test`, {})).json()).toEqual({ ok: false, message: "HTTP 500: receiver says no" });
  });

  test("an SMTP channel delivers through a real SMTP server", async () => {
    const res = await createChannel({ name: "mail", type: "smtp", config: { host: "127.0.0.1", port: rx.smtpPort, tls: "none", from: "infrapilot@example.com", to: ["ops@example.com", "dev@example.com"], username: "u", password: "mail-pass" } });
    expect(res.status).toBe(201);
    const channel = (await res.json()) as { id: string; config: Record<string, unknown> };
    expect(channel.config).not.toHaveProperty("password");
    expect(await (await admin.post(`/api/v1/alerts/channels/${channel.id}/test`, {})).json()).toMatchObject({ ok: true });
    const [mail] = await rx.waitFor(() => rx.mails, (l) => l.length >= 1);
    expect(mail!.to).toEqual(["ops@example.com", "dev@example.com"]);
    expect(mail!.raw).toMatch(/Subject: \[InfraPilot\] Test notification/);
  });

  test("every chat and push type posts what its service expects", async () => {
    const cases = [
      { type: "slack", config: { webhookUrl: hook("/slack") }, path: "/slack", check: (b: string) => expect(JSON.parse(b).text).toMatch(/Test notification/) },
      { type: "discord", config: { webhookUrl: hook("/discord") }, path: "/discord", check: (b: string) => expect(JSON.parse(b).content).toMatch(/Test notification/) },
      { type: "teams", config: { webhookUrl: hook("/teams") }, path: "/teams", check: (b: string) => expect(JSON.parse(b)["@type"]).toBe("MessageCard") },
      { type: "telegram", config: { botToken: "123456:ABCDEFGHIJKLmnop", chatId: "-1001", apiUrl: hook("/tg") }, path: "/tg/bot123456:ABCDEFGHIJKLmnop/sendMessage", check: (b: string) => expect(JSON.parse(b).chat_id).toBe("-1001") },
      { type: "ntfy", config: { serverUrl: hook("/ntfy"), topic: "alerts", token: "tk_1" }, path: "/ntfy/alerts", check: (b: string) => expect(b).toMatch(/this channel works/) },
      { type: "gotify", config: { serverUrl: hook("/gotify"), token: "AbCdEf" }, path: "/gotify/message", check: (b: string) => expect(JSON.parse(b).title).toMatch(/Test/) },
    ];
    for (const c of cases) {
      const res = await createChannel({ name: c.type, type: c.type, config: c.config });
      expect(res.status, c.type).toBe(201);
      const dto = (await res.json()) as { id: string };
      expect(JSON.stringify(dto), c.type).not.toMatch(/ABCDEFGHIJKLmnop|tk_1|AbCdEf|\/slack|\/discord|\/teams/);
      expect(await (await admin.post(`/api/v1/alerts/channels/${dto.id}/test`, {})).json(), c.type).toMatchObject({ ok: true });
      const [req] = await rx.waitFor(() => rx.requests.filter((r) => r.path === c.path), (l) => l.length === 1);
      c.check(req!.body);
    }
    const ntfy = rx.requests.find((r) => r.path === "/ntfy/alerts")!;
    expect(ntfy.headers.authorization).toBe("Bearer tk_1");
    expect(rx.requests.find((r) => r.path === "/gotify/message")!.headers["x-gotify-key"]).toBe("AbCdEf");
  });
});

describe("rules, permissions, audit", () => {
  test("rules are created, validated, updated and deleted; viewers may read only", async () => {
    const bad = await admin.post("/api/v1/alerts/rules", { name: "cpu", type: "cpu" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields.threshold).toMatch(/threshold/);

    const ch = (await (await createChannel({ name: "rule target", type: "webhook", config: { url: hook("/rules") } })).json()) as { id: string };
    const res = await admin.post("/api/v1/alerts/rules", { name: "busy", type: "cpu", threshold: 90, windowSeconds: 300, scope: { namePattern: "web-*" }, channelIds: [ch.id] });
    expect(res.status).toBe(201);
    const rule = (await res.json()) as { id: string; scope: unknown; cooldownSeconds: number; enabled: boolean };
    expect(rule).toMatchObject({ scope: { namePattern: "web-*" }, cooldownSeconds: 900, enabled: true });

    const patched = await admin.request(`/api/v1/alerts/rules/${rule.id}`, { method: "PATCH", json: { enabled: false } });
    expect(((await patched.json()) as { enabled: boolean }).enabled).toBe(false);
    expect((await admin.request(`/api/v1/alerts/rules/${rule.id}`, { method: "PATCH", json: { threshold: null } })).status).toBe(400);

    expect((await viewer.request("/api/v1/alerts/rules")).status).toBe(200);
    expect((await viewer.request("/api/v1/alerts/history")).status).toBe(200);
    expect((await viewer.post("/api/v1/alerts/rules", { name: "x", type: "container_crash" })).status).toBe(403);
    expect((await viewer.post("/api/v1/alerts/channels", { name: "x", type: "webhook", config: { url: hook() } })).status).toBe(403);
    expect((await viewer.post(`/api/v1/alerts/channels/${ch.id}/test`, {})).status).toBe(403);

    expect((await admin.request(`/api/v1/alerts/rules/${rule.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await admin.request(`/api/v1/alerts/rules/${rule.id}`)).status).toBe(404);
    expect((await admin.request(`/api/v1/alerts/channels/${ch.id}`, { method: "DELETE" })).status).toBe(204);

    const audit = await db.query<{ action: string }>(`SELECT action FROM "AuditLog" WHERE action LIKE 'alert.%' ORDER BY id`);
    const actions = new Set(audit.rows.map((r) => r.action));
    for (const a of ["alert.channel.create", "alert.channel.update", "alert.channel.test", "alert.channel.delete", "alert.rule.create", "alert.rule.update", "alert.rule.delete"]) expect(actions, a).toContain(a);
  });
});
