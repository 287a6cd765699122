// The proxy apply pipeline against a real nginx on loopback: domain verbs → database → render →
// staged tree → nginx -t → swap → reload, with tiny node:http upstreams on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, readlinkSync, existsSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { freePort } from "../setup/postgres";
import { CASES } from "../fixtures/nginx/cases";

const confDir = mkdtempSync(join(tmpdir(), "infrapilot-nginx-"));
const httpPort = await freePort();
process.env.NGINX_BIN = "/usr/sbin/nginx";
process.env.NGINX_CONF_DIR = confDir;
process.env.NGINX_HTTP_PORT = String(httpPort);
process.env.NGINX_HTTPS_PORT = String(await freePort());
process.env.NGINX_LISTEN_ADDRESS = "127.0.0.1";
process.env.DATA_DIR = mkdtempSync(join(tmpdir(), "infrapilot-nginx-data-"));

const { setupTestDb } = await import("../setup/db");
const { withOrg } = await import("~/server/db/client.server");
const hosts = await import("~/server/proxy/hosts.server");
const lists = await import("~/server/proxy/access-lists.server");
const { localNginx } = await import("~/server/agents/local-host.server");
const { LocalNginx } = await import("#agent/nginx/local-nginx");
const { renderTree } = await import("~/server/proxy/render");
const { ForbiddenError, ValidationError } = await import("~/server/errors.server");
type Actor = import("~/server/auth/require.server").Actor;

let db: Awaited<ReturnType<typeof setupTestDb>>;
const orgId = randomUUID();
let agentId: string;
const superAdmin = { userId: randomUUID(), orgId, role: "super_admin", email: "root@example.com", name: "Root", mfaEnabled: false, sessionId: "s" } as Actor;
const admin = { ...superAdmin, userId: randomUUID(), role: "admin", email: "admin@example.com" } as Actor;

const upstreams: Server[] = [];
async function upstream(body: string): Promise<{ port: number; server: Server; seen: Record<string, string | string[] | undefined>[] }> {
  const seen: Record<string, string | string[] | undefined>[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.end(body);
  });
  server.on("upgrade", (req, socket) => {
    socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    socket.on("data", (d) => socket.write(d)); // echo
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  upstreams.push(server);
  return { port, server, seen };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
function get(host: string, path = "/", headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: httpPort, path, headers: { Host: host, ...headers }, agent: false }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A host's file in the live tree (kept in the shared directory, see agent/nginx/tree-store.ts). */
async function liveHost(id: string): Promise<string> {
  const content = await localNginx().liveFile(`hosts/${id}.conf`);
  if (content === null) throw new Error(`hosts/${id}.conf is not in the live tree`);
  return content;
}

function proxyBody(domain: string, port: number, extra: Record<string, unknown> = {}) {
  return { kind: "proxy", domains: [domain], upstream: { scheme: "http", host: "127.0.0.1", port }, blockExploits: true, ...extra };
}

beforeAll(async () => {
  db = await setupTestDb();
  agentId = await withOrg(orgId, async (tx) => {
    await tx.organization.create({ data: { id: orgId, name: "Proxy org", slug: "proxy-org" } });
    return (await tx.agent.create({ data: { orgId, name: "local" } })).id;
  });
});

afterAll(async () => {
  await localNginx().stop();
  for (const s of upstreams) s.close();
  await db?.close();
});

describe("every rendered fixture", () => {
  test("passes a real nginx -t and starts", async () => {
    for (const [name, input] of Object.entries(CASES)) {
      const dir = mkdtempSync(join(tmpdir(), `infrapilot-fixture-${name}-`));
      const nginx = new LocalNginx({ bin: "/usr/sbin/nginx", confDir: dir });
      const settings = { ...input.settings, httpPort: await freePort(), httpsPort: await freePort() };
      const result = await nginx.apply({ files: renderTree({ ...input, settings }) });
      await nginx.stop();
      expect({ name, ok: result.ok, output: result.output }).toEqual({ name, ok: true, output: "" });
    }
  });
});

describe("proxy hosts through nginx", () => {
  test("a host for app.test reaches its upstream with the configured headers", async () => {
    const up = await upstream("hello from app");
    const host = await hosts.createProxyHost(superAdmin, agentId, proxyBody("app.test", up.port, {
      headers: { csp: "default-src 'self'", frameOptions: "SAMEORIGIN", referrerPolicy: "no-referrer", permissionsPolicy: "camera=()", contentTypeOptions: true },
    }));
    expect(host.status.state).toBe("ok");
    const res = await get("app.test");
    expect(res.status).toBe(200);
    expect(res.body).toBe("hello from app");
    expect(res.headers["content-security-policy"]).toBe("default-src 'self'");
    expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(res.headers["permissions-policy"]).toBe("camera=()");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(up.seen.at(-1)).toMatchObject({ host: "app.test", "x-forwarded-proto": "http", "x-real-ip": "127.0.0.1" });
    // Block common exploits.
    expect((await get("app.test", "/?q=%3Cscript%3Ealert(1)%3C/script%3E")).status).toBe(403);
  });

  test("HTTP-01 challenges are served from the webroot on every host; a token that walks out is refused", async () => {
    await localNginx().putChallenge("tok_EN-1", "tok_EN-1.thumbprint");
    for (const host of ["app.test", "nobody.test"]) {
      const res = await get(host, "/.well-known/acme-challenge/tok_EN-1");
      expect({ host, status: res.status, body: res.body }).toEqual({ host, status: 200, body: "tok_EN-1.thumbprint" });
    }
    await localNginx().removeChallenge("tok_EN-1");
    expect((await get("app.test", "/.well-known/acme-challenge/tok_EN-1")).status).toBe(404);
    await expect(localNginx().putChallenge("../../etc/nginx/conf.d/x.conf", "x")).rejects.toThrow(/invalid ACME token/);
    expect(existsSync(join(confDir, "etc"))).toBe(false);
  });

  test("unknown hosts hit the default site", async () => {
    expect((await get("nobody.test")).status).toBe(404);
  });

  test("websockets upgrade through the proxy", async () => {
    const up = await upstream("ws");
    await hosts.createProxyHost(admin, agentId, proxyBody("ws.test", up.port, { websockets: true }));
    const echoed = await new Promise<string>((resolve, reject) => {
      const socket = connect(httpPort, "127.0.0.1", () => {
        socket.write("GET /socket HTTP/1.1\r\nHost: ws.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
      });
      let data = "";
      socket.on("data", (d) => {
        data += d;
        if (data.includes("\r\n\r\n") && !data.includes("ping")) socket.write("ping");
        if (data.includes("ping")) {
          socket.end();
          resolve(data);
        }
      });
      socket.on("error", reject);
      setTimeout(() => reject(new Error(`no upgrade: ${data}`)), 5000);
    });
    expect(echoed).toMatch(/^HTTP\/1\.1 101/);
    expect(echoed).toContain("ping");
  });

  test("the rate limit answers 429 after the burst", async () => {
    const up = await upstream("limited");
    await hosts.createProxyHost(admin, agentId, proxyBody("limited.test", up.port, { rateLimit: { requestsPerSecond: 1, burst: 2 } }));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get("limited.test")).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses).toContain(429);
  });

  test("basic auth refuses without credentials and admits with them; IP deny refuses", async () => {
    const up = await upstream("secret");
    const list = await lists.createAccessList(admin, { name: "team", users: [{ username: "alice", password: "wonderland" }] });
    await hosts.createProxyHost(admin, agentId, proxyBody("auth.test", up.port, { accessListId: list.id }));
    expect((await get("auth.test")).status).toBe(401);
    expect((await get("auth.test", "/", { Authorization: `Basic ${Buffer.from("alice:wrong").toString("base64")}` })).status).toBe(401);
    const ok = await get("auth.test", "/", { Authorization: `Basic ${Buffer.from("alice:wonderland").toString("base64")}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe("secret");
    expect(up.seen.at(-1)!.authorization).toBeUndefined();
    // The ACME challenge path stays open for certificate issuance.
    expect((await get("auth.test", "/.well-known/acme-challenge/missing")).status).toBe(404);

    const deny = await lists.createAccessList(admin, { name: "nobody-local", rules: [{ action: "deny", address: "127.0.0.0/8" }, { action: "allow", address: "all" }] });
    await hosts.createProxyHost(admin, agentId, proxyBody("denied.test", up.port, { accessListId: deny.id }));
    expect((await get("denied.test")).status).toBe(403);
  });

  test("redirection hosts answer with their status and Location", async () => {
    await hosts.createProxyHost(admin, agentId, { kind: "redirect", domains: ["old.test"], redirect: { to: "https://new.test", code: 308, keepPath: true } });
    await hosts.createProxyHost(admin, agentId, { kind: "redirect", domains: ["moved.test"], redirect: { to: "https://new.test/landing", code: 302, keepPath: false } });
    const kept = await get("old.test", "/a/b?c=1");
    expect(kept.status).toBe(308);
    expect(kept.headers.location).toBe("https://new.test/a/b?c=1");
    const fixed = await get("moved.test", "/x");
    expect(fixed.status).toBe(302);
    expect(fixed.headers.location).toBe("https://new.test/landing");
  });

  test("a dead upstream gives 502 for its own host only, and nginx restarts cleanly with it down", async () => {
    const up = await upstream("alive");
    const deadPort = await freePort();
    await hosts.createProxyHost(admin, agentId, proxyBody("dead.test", deadPort));
    await hosts.createProxyHost(admin, agentId, { kind: "proxy", domains: ["dead-name.test"], upstream: { scheme: "http", host: "no-such-upstream.invalid", port: 80 } });
    await hosts.createProxyHost(admin, agentId, proxyBody("alive.test", up.port));
    expect((await get("dead.test")).status).toBe(502);
    expect((await get("dead-name.test")).status).toBe(502);
    expect((await get("alive.test")).body).toBe("alive");

    await localNginx().stop();
    expect((await localNginx().status()).running).toBe(false);
    expect(await localNginx().ensureRunning()).toEqual({ ok: true, output: "" });
    expect((await get("alive.test")).body).toBe("alive");
    expect((await get("dead.test")).status).toBe(502);
  });

  test("a config nginx rejects fails to apply, the previous config keeps serving, the error is stored", async () => {
    const up = await upstream("v1");
    const host = await hosts.createProxyHost(superAdmin, agentId, proxyBody("adv.test", up.port));
    const generation = readlinkSync(join(confDir, "live"));
    const updated = await hosts.updateProxyHost(superAdmin, agentId, host.id, proxyBody("adv.test", up.port, { advanced: "no_such_directive on;" }));
    expect(updated.status.state).toBe("error");
    expect(updated.status.message).toContain('unknown directive "no_such_directive"');
    // The host still serves its previous version; everyone else is unaffected.
    expect((await get("adv.test")).body).toBe("v1");
    expect((await get("app.test")).body).toBe("hello from app");
    expect((await liveHost(host.id))).not.toContain("no_such_directive");
    expect(readlinkSync(join(confDir, "live"))).not.toBe(generation); // others' changes still go live
    // Fixing it brings it back to ok.
    const fixed = await hosts.updateProxyHost(superAdmin, agentId, host.id, proxyBody("adv.test", up.port, { advanced: "proxy_buffering off;" }));
    expect(fixed.status).toMatchObject({ state: "ok", message: null });
  });

  test("a single save tests only what changed; a conflict only the whole tree shows is refused by the reload and rolled back", async () => {
    const up = await upstream("quick");
    const { requestApply } = await import("~/server/proxy/apply.server");
    const a = await hosts.createProxyHost(superAdmin, agentId, proxyBody("quick-a.test", up.port));
    const save = await requestApply(orgId, agentId);
    expect({ ok: save.ok, testMode: save.testMode, tests: save.tests, reloads: save.reloads }).toEqual({ ok: true, testMode: "quick", tests: 1, reloads: 1 });
    expect((await get("quick-a.test")).body).toBe("quick");

    // Each host alone passes nginx -t; together their listen options clash (nginx: duplicate listen options).
    const port = await freePort();
    await hosts.updateProxyHost(superAdmin, agentId, a.id, proxyBody("quick-a.test", up.port, { advanced: `listen 127.0.0.1:${port} backlog=100;` }));
    const generation = readlinkSync(join(confDir, "live"));
    const b = await hosts.createProxyHost(superAdmin, agentId, proxyBody("quick-b.test", up.port, { advanced: `listen 127.0.0.1:${port} backlog=200;` }));
    expect(b.status.state).toBe("error");
    expect(b.status.message).toContain("duplicate listen options");
    // nginx kept serving; live points at a complete tree that passes nginx -t and never held b's clash.
    expect((await get("quick-a.test")).body).toBe("quick");
    expect((await localNginx().testLive()).ok).toBe(true);
    expect(readlinkSync(join(confDir, "live")) === generation || !(await liveHost(b.id)).includes("backlog=200")).toBe(true);
    await hosts.deleteProxyHost(superAdmin, agentId, b.id);
    await hosts.updateProxyHost(superAdmin, agentId, a.id, proxyBody("quick-a.test", up.port));
  });

  test("20 concurrent edits coalesce; the final config equals the database and passes nginx -t", async () => {
    const up = await upstream("concurrent");
    const host = await hosts.createProxyHost(admin, agentId, proxyBody("busy.test", up.port));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => hosts.updateProxyHost(admin, agentId, host.id, proxyBody("busy.test", up.port, { clientMaxBodySizeMb: i + 1 }))),
    );
    // A save answers "pending" when a later edit is already waiting for the next apply.
    expect(results.every((r) => r.status.state === "ok" || r.status.state === "pending")).toBe(true);
    const stored = await hosts.getProxyHost(admin, agentId, host.id);
    expect(stored.status.state).toBe("ok");
    const live = (await liveHost(host.id));
    expect(live).toContain(`client_max_body_size ${stored.clientMaxBodySizeMb}m;`);
    expect((await localNginx().testLive()).ok).toBe(true);
    const state = await hosts.getApplyStatus(admin, agentId);
    expect(state.state).toBe("ok");
    expect(state.generation).toBe(readlinkSync(join(confDir, "live")).split("/").pop());
  });
});

describe("answering a save at nginx's signal (wait: false)", () => {
  async function settled(id: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const host = await hosts.getProxyHost(admin, agentId, id);
      if (host.status.state !== "pending" || Date.now() > deadline) return host;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  test("a non-waiting save answers pending once nginx was signalled, then turns ok and serves", async () => {
    const v1 = await upstream("signal v1");
    const v2 = await upstream("signal v2");
    const host = await hosts.createProxyHost(admin, agentId, proxyBody("signal.test", v1.port));
    expect(host.status.state).toBe("ok");
    const saved = await hosts.updateProxyHost(admin, agentId, host.id, proxyBody("signal.test", v2.port), { wait: false });
    expect(saved.status).toMatchObject({ state: "pending", message: null });
    // The new tree is already live on disk when the save answers.
    expect((await liveHost(host.id))).toContain(`:${v2.port}`);
    const done = await settled(host.id);
    expect(done.status).toMatchObject({ state: "ok", message: null });
    expect((await get("signal.test")).body).toBe("signal v2");
  });

  test("a change the quick test refuses answers with nginx's error at once, not pending", async () => {
    const up = await upstream("refused at test");
    const host = await hosts.createProxyHost(superAdmin, agentId, proxyBody("refused.test", up.port));
    const saved = await hosts.updateProxyHost(superAdmin, agentId, host.id, proxyBody("refused.test", up.port, { advanced: "no_such_directive_either on;" }), { wait: false });
    expect(saved.status.state).toBe("error");
    expect(saved.status.message).toContain('unknown directive "no_such_directive_either"');
    expect(saved.status.message).toContain(`in hosts/${host.id}.conf:`);
    expect((await get("refused.test")).body).toBe("refused at test");
    expect((await settled(host.id)).status.state).toBe("error");
    await hosts.deleteProxyHost(superAdmin, agentId, host.id);
  });

  test("a conflict only nginx's reload sees turns the pending host to error with nginx's message; the old config keeps serving", async () => {
    const up = await upstream("conflict");
    const port = await freePort();
    const a = await hosts.createProxyHost(superAdmin, agentId, proxyBody("conflict-a.test", up.port, { advanced: `listen 127.0.0.1:${port} backlog=100;` }));
    expect(a.status.state).toBe("ok");
    const b = await hosts.createProxyHost(superAdmin, agentId, proxyBody("conflict-b.test", up.port, { advanced: `listen 127.0.0.1:${port} backlog=200;` }), { wait: false });
    // The quick test of b alone passes: nginx was signalled, the answer is "pending".
    expect(b.status.state).toBe("pending");
    const done = await settled(b.id);
    expect(done.status.state).toBe("error");
    expect(done.status.message).toContain("duplicate listen options");
    // nginx's message names the host's logical file, not its hashed shared copy.
    expect(done.status.message).toMatch(/in hosts\/[0-9a-f-]{36}\.conf:\d+/);
    expect(done.status.message).not.toContain("shared/");
    expect((await get("conflict-a.test")).body).toBe("conflict");
    expect((await get("conflict-b.test")).status).toBe(404); // b never served
    expect((await localNginx().testLive()).ok).toBe(true);
    // nginx may blame either file of the clash: b is isolated, or the whole apply fails and b never went live.
    expect((await localNginx().liveFile(`hosts/${b.id}.conf`)) ?? "").not.toContain("backlog=200");
    await hosts.deleteProxyHost(superAdmin, agentId, b.id);
    await hosts.deleteProxyHost(superAdmin, agentId, a.id);
  });

  test("saves that join a queued run share its two moments; 20 concurrent non-waiting edits end equal to the database", async () => {
    const { startApply } = await import("~/server/proxy/apply.server");
    const first = startApply(orgId, agentId);
    expect(startApply(orgId, agentId)).toBe(first); // same tick: same run
    await first.accepted;
    const queued = startApply(orgId, agentId); // the first run may still be confirming
    expect(startApply(orgId, agentId)).toBe(queued);
    const [accepted, done] = await Promise.all([queued.accepted, queued.done]);
    expect(done.confirmed).toBe(true);
    expect(accepted.generation).toBe(done.generation);

    const up = await upstream("concurrent, not waiting");
    const host = await hosts.createProxyHost(admin, agentId, proxyBody("busy2.test", up.port));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => hosts.updateProxyHost(admin, agentId, host.id, proxyBody("busy2.test", up.port, { clientMaxBodySizeMb: i + 1 }), { wait: false })),
    );
    expect(results.every((r) => r.status.state === "ok" || r.status.state === "pending")).toBe(true);
    const stored = await settled(host.id);
    expect(stored.status.state).toBe("ok");
    const { requestApply } = await import("~/server/proxy/apply.server");
    await requestApply(orgId, agentId); // every run before this one is confirmed
    expect((await liveHost(host.id))).toContain(`client_max_body_size ${stored.clientMaxBodySizeMb}m;`);
    expect((await localNginx().testLive()).ok).toBe(true);
    const state = await hosts.getApplyStatus(admin, agentId);
    expect(state.state).toBe("ok");
    expect(state.hosts.pending ?? 0).toBe(0);
  });
});

describe("validation and permissions", () => {
  async function nothingWritten(run: () => Promise<unknown>, expected: unknown) {
    const before = { count: await withOrg(orgId, (tx) => tx.proxyHost.count()), live: readlinkSync(join(confDir, "live")) };
    await expect(run()).rejects.toBeInstanceOf(expected);
    expect({ count: await withOrg(orgId, (tx) => tx.proxyHost.count()), live: readlinkSync(join(confDir, "live")) }).toEqual(before);
  }

  test("injection attempts are refused with field errors and nothing is written", async () => {
    const attacks: [unknown, string][] = [
      [proxyBody("a.test", 80, { upstream: { scheme: "http", host: 'app"; return 200 "pwned"; #', port: 80 } }), "upstream.host"],
      [proxyBody("x' ; touch /tmp/p ; #", 80), "domains.0"],
      [proxyBody("b.test", 80, { headers: { csp: "x; proxy_pass http://169.254.169.254; #" } }), "headers.csp"],
      [proxyBody("c.test\r\nreturn 200;", 80), "domains.0"],
      [proxyBody("d.test", 80, { headers: { permissionsPolicy: "camera=()\nadd_header X pwned;" } }), "headers.permissionsPolicy"],
      [{ kind: "redirect", domains: ["e.test"], redirect: { to: "https://x.test/$host;return 200", code: 301 } }, "redirect.to"],
    ];
    for (const [body, field] of attacks) {
      await nothingWritten(() => hosts.createProxyHost(superAdmin, agentId, body), ValidationError);
      const error = (await hosts.createProxyHost(superAdmin, agentId, body).catch((e: unknown) => e)) as InstanceType<typeof ValidationError>;
      expect(Object.keys(error.fields ?? {})).toContain(field);
    }
    expect(existsSync("/tmp/p")).toBe(false);
  });

  test("only a super admin may set advanced directives", async () => {
    await nothingWritten(() => hosts.createProxyHost(admin, agentId, proxyBody("adv2.test", 80, { advanced: "proxy_buffering off;" })), ForbiddenError);
  });
});
