// Raw `advanced` nginx directives are for super admins only (docs/decisions/050): admins and
// viewers learn that a host has them, never their text — not from the API, the Proxies page or
// the audit log — and an admin saving such a host keeps them. Real server, real nginx on loopback.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { userClient } from "../setup/containers";
import { stopNginxOf } from "../setup/nginx";
import { freePort } from "../setup/postgres";
import { Client, setUpServer, startServer, type TestServer } from "../setup/server";

const SECRET_DIRECTIVE = 'proxy_set_header X-Upstream-Key "adv-secret-7f3a";';
const SECRET = "adv-secret-7f3a";

let server: TestServer;
let superAdmin: Client;
let admin: Client;
let viewer: Client;
let upstream: Server;
let upstreamPort: number;
let hosts: string;
let hostId: string;

beforeAll(async () => {
  upstreamPort = await freePort();
  upstream = createServer((_req, res) => res.end("ok"));
  await new Promise<void>((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
  server = await startServer({ env: { NGINX_BIN: "/usr/sbin/nginx", NGINX_HTTP_PORT: String(await freePort()), NGINX_HTTPS_PORT: String(await freePort()), NGINX_LISTEN_ADDRESS: "127.0.0.1" } });
  superAdmin = await setUpServer(server);
  admin = await userClient(server, superAdmin, "admin", "plain-admin@example.com");
  viewer = await userClient(server, superAdmin, "viewer", "viewer@example.com");
  const agentId = (await (await superAdmin.request("/api/v1/agents")).json()).items[0].id;
  hosts = `/api/v1/agents/${agentId}/proxies`;
  const created = await superAdmin.post(hosts, { kind: "proxy", domains: ["adv.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort }, advanced: SECRET_DIRECTIVE });
  expect(created.status).toBe(201);
  hostId = (await created.json()).id;
});

afterAll(async () => {
  await server?.stop();
  if (server) stopNginxOf(server.dataDir);
  upstream?.close();
});

const storedAdvanced = async () => (await (await superAdmin.request(`${hosts}/${hostId}`)).json()).advanced;

describe("advanced directives", () => {
  test("hides the raw text from admins and viewers in the API; they see hasAdvanced, a super admin sees the text", async () => {
    for (const [who, client] of [["admin", admin], ["viewer", viewer]] as const) {
      const one = await client.request(`${hosts}/${hostId}`);
      expect(one.status, who).toBe(200);
      const body = await one.json();
      expect(body, who).toMatchObject({ id: hostId, hasAdvanced: true });
      expect(body, who).not.toHaveProperty("advanced");
      expect(await (await client.request(hosts)).text(), who).not.toContain(SECRET);
    }
    expect(await (await superAdmin.request(`${hosts}/${hostId}`)).json()).toMatchObject({ advanced: SECRET_DIRECTIVE, hasAdvanced: true });
  });

  test("keeps the raw text out of an admin's Proxies page and says the host has directives", async () => {
    const html = await (await admin.request(`/proxies?edit=${hostId}`)).text();
    expect(html).not.toContain(SECRET);
    expect(html).not.toMatch(/name="advanced"/);
    expect(html).toContain("This host has advanced directives (visible to super admins)");
    expect(await (await superAdmin.request(`/proxies?edit=${hostId}`)).text()).toContain(SECRET);
  });

  test("refuses to wipe them when an admin saves the host: the form and a PATCH without the field keep them", async () => {
    const form = await admin.form("/proxies", {
      intent: "update",
      id: hostId,
      enabledPresent: "1",
      enabled: "on",
      kind: "proxy",
      domains: "adv.test",
      scheme: "http",
      upstreamHost: "127.0.0.1",
      upstreamPort: String(upstreamPort),
      blockExploits: "on",
      websockets: "on",
      clientMaxBodySizeMb: "1",
      tlsMode: "none",
      hstsMaxAge: "31536000",
    });
    expect(form.status).toBeLessThan(400);
    const afterForm = await (await superAdmin.request(`${hosts}/${hostId}`)).json();
    expect(afterForm.websockets, "the admin's change was saved").toBe(true);
    expect(afterForm.advanced).toBe(SECRET_DIRECTIVE);

    const patch = await admin.request(`${hosts}/${hostId}`, { method: "PATCH", json: { kind: "proxy", domains: ["adv.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort }, websockets: false } });
    expect(patch.status).toBe(200);
    expect(await patch.json()).not.toHaveProperty("advanced");
    expect(await storedAdvanced()).toBe(SECRET_DIRECTIVE);

    // Clearing or changing them is still the super admin's.
    const wipe = await admin.request(`${hosts}/${hostId}`, { method: "PATCH", json: { kind: "proxy", domains: ["adv.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort }, advanced: "" } });
    expect(wipe.status).toBe(403);
    expect(await storedAdvanced()).toBe(SECRET_DIRECTIVE);
  });

  test("keeps the raw text out of the audit log an admin reads and exports", async () => {
    const entries = await (await admin.request(`/api/v1/audit?target=${hostId}&limit=100`)).json();
    expect(entries.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(["proxy.create", "proxy.update"]));
    expect(entries.items.find((e: { action: string }) => e.action === "proxy.create").details).toMatchObject({ advanced: true });
    expect(JSON.stringify(entries)).not.toContain(SECRET);
    for (const format of ["json", "csv"]) expect(await (await admin.request(`/api/v1/audit/export?format=${format}`)).text(), format).not.toContain(SECRET);
  });
});
