// The default site for unknown host names (issue 4: "404 page, redirect, or close connection")
// and the access-list page's validation, through the real server (production build) with a real
// nginx on loopback: the API and the Proxies page form both store the per-agent setting, the
// save re-applies nginx, and nginx answers unknown hosts accordingly.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createConnection } from "node:net";
import { createServer, type Server } from "node:http";
import { freePort } from "../setup/postgres";
import { memberClient, secondOrganizationClient, type Client, setUpServer, startServer, type TestServer } from "../setup/server";
import { viaNginx, stopNginxOf } from "../setup/nginx";

let server: TestServer;
let admin: Client;
let upstream: Server;
let upstreamPort: number;
let httpPort: number;
let agentId: string;

/** A raw HTTP/1.1 request: what bytes nginx sends back before it closes the connection. */
function rawExchange(port: number, host: string): Promise<{ bytes: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let text = "";
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error("nginx neither answered nor closed the connection within 10 s"));
    });
    socket.on("connect", () => socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    socket.on("data", (d) => (text += d.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => resolve({ bytes: Buffer.byteLength(text, "latin1"), text }));
  });
}

function settingsUrl(id = agentId) {
  return `/api/v1/agents/${id}/proxies/settings`;
}

beforeAll(async () => {
  upstreamPort = await freePort();
  upstream = createServer((_req, res) => res.end("known host"));
  await new Promise<void>((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
  httpPort = await freePort();
  server = await startServer({ env: { NGINX_BIN: "/usr/sbin/nginx", NGINX_HTTP_PORT: String(httpPort), NGINX_HTTPS_PORT: String(await freePort()), NGINX_LISTEN_ADDRESS: "127.0.0.1" } });
  admin = await setUpServer(server);
  agentId = (await (await admin.request("/api/v1/agents")).json()).items[0].id;
  const res = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["known.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort } });
  expect(res.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (server) stopNginxOf(server.dataDir);
  upstream?.close();
});

describe("default site for unknown hosts", () => {
  test("starts as a 404 page", async () => {
    const res = await admin.request(settingsUrl());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ agentId, defaultSite: { mode: "404" }, updatedAt: null });
    expect((await viaNginx(httpPort, "nobody.test")).status).toBe(404);
    expect(await viaNginx(httpPort, "known.test")).toEqual({ status: 200, body: "known host" });
  });

  test("redirect: unknown hosts get a 302 with the Location; known hosts are untouched; the change is audited", async () => {
    const res = await admin.request(settingsUrl(), { method: "PATCH", json: { defaultSite: { mode: "redirect", to: "https://www.example.com/landing?from=proxy" } } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ agentId, defaultSite: { mode: "redirect", to: "https://www.example.com/landing?from=proxy" }, apply: { ok: true, message: null } });
    expect(typeof body.updatedAt).toBe("string");
    const raw = await rawExchange(httpPort, "nobody.test");
    expect(raw.text).toMatch(/^HTTP\/1\.1 302 /);
    expect(raw.text).toMatch(/\r\nLocation: https:\/\/www\.example\.com\/landing\?from=proxy\r\n/i);
    expect(await viaNginx(httpPort, "known.test")).toEqual({ status: 200, body: "known host" });
    expect((await (await admin.request(settingsUrl())).json()).defaultSite).toEqual({ mode: "redirect", to: "https://www.example.com/landing?from=proxy" });
    const audit = await (await admin.request("/api/v1/audit?action=proxy.settings.update")).json();
    expect(audit.items[0]).toMatchObject({ action: "proxy.settings.update", targetId: agentId, outcome: "success" });
    expect(audit.items[0].details).toMatchObject({ defaultSite: { mode: "redirect" }, previous: { mode: "404" } });
  });

  test("close: nginx closes the connection without sending a byte", async () => {
    const res = await admin.request(settingsUrl(), { method: "PATCH", json: { defaultSite: { mode: "close" } } });
    expect(res.status).toBe(200);
    expect((await res.json()).apply.ok).toBe(true);
    expect(await rawExchange(httpPort, "nobody.test")).toEqual({ bytes: 0, text: "" });
    expect(await viaNginx(httpPort, "known.test")).toEqual({ status: 200, body: "known host" });
  });

  test.each([
    ["a CR/LF header injection", "https://example.com/\r\nX-Evil: 1"],
    ["a trailing line break", "https://example.com/\n"],
    ["a quote", 'https://example.com/"; return 200 "pwned'],
    ["a semicolon", "https://example.com/;return 200"],
    ["braces", "https://example.com/{x}"],
    ["a space", "https://example.com/a b"],
    ["an nginx variable", "https://example.com/$host"],
    ["another scheme", "javascript:alert(1)"],
    ["a relative path", "/elsewhere"],
  ])("a redirect target with %s is a 400 with a field error and nothing changes", async (_what, to) => {
    const before = await (await admin.request(settingsUrl())).json();
    const res = await admin.request(settingsUrl(), { method: "PATCH", json: { defaultSite: { mode: "redirect", to } } });
    expect(res.status).toBe(400);
    const fields = (await res.json()).error.fields;
    expect(Object.keys(fields).some((k) => k.startsWith("defaultSite.to"))).toBe(true);
    expect(await (await admin.request(settingsUrl())).json()).toEqual(before);
  });

  test("unknown modes and extra fields are 400s", async () => {
    for (const body of [{ defaultSite: { mode: "502" } }, { defaultSite: { mode: "404", to: "https://x.test/" } }, { defaultSite: null }, {}]) {
      const res = await admin.request(settingsUrl(), { method: "PATCH", json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  test("a viewer may read the setting but not change it; another organization cannot see the agent", async () => {
    const { client: viewer } = await memberClient(server, admin, { email: "viewer@example.com", role: "viewer", name: "Vi" });
    expect((await viewer.request(settingsUrl())).status).toBe(200);
    expect((await viewer.request(settingsUrl(), { method: "PATCH", json: { defaultSite: { mode: "404" } } })).status).toBe(403);
    const other = await secondOrganizationClient(server);
    expect((await other.request(settingsUrl())).status).toBe(404);
    expect((await other.request(settingsUrl(), { method: "PATCH", json: { defaultSite: { mode: "404" } } })).status).toBe(404);
    expect((await admin.request(settingsUrl("00000000-0000-0000-0000-000000000000"))).status).toBe(404);
  });

  test("the Proxies page form saves it (and shows a field error for a bad URL)", async () => {
    const bad = await admin.form("/proxies", { intent: "default-site", defaultSiteMode: "redirect", defaultSiteTo: "https://example.com/a;b" });
    expect(bad.status).toBe(200);
    const html = await bad.text();
    expect(html).toContain("Use an http(s) URL without spaces, quotes, ;, {, } or $.");
    const ok = await admin.form("/proxies", { intent: "default-site", defaultSiteMode: "404" });
    expect(ok.status).toBe(302);
    expect((await (await admin.request(settingsUrl())).json()).defaultSite).toEqual({ mode: "404" });
    expect((await viaNginx(httpPort, "nobody.test")).status).toBe(404);
    const page = await (await admin.request("/proxies")).text();
    expect(page).toContain("Unknown host names");
  });
});

describe("access-list page", () => {
  test("field errors land on the row they name; passwords never come back", async () => {
    const bad = await admin.form("/access-lists", {
      intent: "create",
      name: "Office",
      satisfy: "all",
      userName: "ann",
      userPassword: "short",
      ruleAction: "allow",
      ruleAddress: "10.0.0.0/33",
    });
    expect(bad.status).toBe(200);
    const html = await bad.text();
    expect(html).toContain("Use at least 8 characters.");
    expect(html).toContain("Use an IP address, a CIDR range (10.0.0.0/8) or all.");
    expect((await (await admin.request("/api/v1/access-lists")).json()).items).toEqual([]);

    const body = new URLSearchParams([
      ["intent", "create"],
      ["name", "Office"],
      ["satisfy", "any"],
      ["userName", "ann"],
      ["userPassword", "a secret password"],
      ["ruleAction", "allow"],
      ["ruleAddress", "10.0.0.0/8"],
      ["ruleAction", "deny"],
      ["ruleAddress", "all"],
    ]);
    const ok = await admin.request("/access-lists", { method: "POST", body: body.toString(), headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url } });
    expect(ok.status).toBe(302);
    const [list] = (await (await admin.request("/api/v1/access-lists")).json()).items;
    expect(list).toMatchObject({ name: "Office", satisfy: "any", users: [{ username: "ann" }], rules: [{ action: "allow", address: "10.0.0.0/8" }, { action: "deny", address: "all" }], proxyHosts: [] });
    expect(JSON.stringify(list)).not.toMatch(/secret|SSHA|hash/);
    const page = await (await admin.request(`/access-lists?edit=${list.id}`)).text();
    expect(page).not.toMatch(/a secret password|\{SSHA\}/);

    // A second list with the same name is a field error, not a 500.
    const dup = await admin.form("/access-lists", { intent: "create", name: "Office", satisfy: "all" });
    expect(dup.status).toBe(200);
    expect(await dup.text()).toContain("An access list with this name exists.");
  });

  test("a list in use cannot be deleted and the refusal names the hosts", async () => {
    const [list] = (await (await admin.request("/api/v1/access-lists")).json()).items;
    const host = await (await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["guarded.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort }, accessListId: list.id })).json();
    expect(host.accessListId).toBe(list.id);
    const res = await admin.request(`/api/v1/access-lists/${list.id}`, { method: "DELETE" });
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toContain("guarded.test");
    const again = (await (await admin.request(`/api/v1/access-lists/${list.id}`)).json()) as { proxyHosts: { domains: string[] }[] };
    expect(again.proxyHosts.map((h) => h.domains[0])).toEqual(["guarded.test"]);
  });
});
