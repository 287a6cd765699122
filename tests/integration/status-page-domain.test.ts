// Status pages on a custom domain (decision 140), end to end: the real server drives a real nginx
// on loopback ports and gets the certificate from pebble (Let's Encrypt's test CA) through the
// existing ACME pipeline; requests go to nginx with the custom name in the Host header (and SNI)
// over HTTP and HTTPS. Only the page is reachable through that name: the API, the login and the
// organization's other pages answer 404 there. The name is unique across the service (another
// organization's proxy host or status page keeps it), and removing it removes the server block
// and the certificate made for it.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connect as tlsConnect, type PeerCertificate } from "node:tls";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stopNginxOf, viaNginx } from "../setup/nginx";
import { startPebble, type Pebble } from "../setup/pebble";
import { freePort } from "../setup/postgres";
import { setUpServer, startServer, type Client, type TestServer, serverSql } from "../setup/server";

let pebble: Pebble;
let server: TestServer;
let admin: Client;
let httpPort: number;
let httpsPort: number;
let pageId: string;
let monitorId: string;

type Page = {
  id: string;
  slug: string;
  customDomain: string | null;
  domain: { domain: string; certificate: { id: string; status: string; error: string | null; notAfter: string | null; progress: { step: string } | null } | null; problem: string | null } | null;
};

/** HTTPS to nginx on loopback with SNI and Host `name`, trusting only pebble's issuing root. */
async function https(name: string, path: string): Promise<{ cert: PeerCertificate; status: number; body: string }> {
  const ca = await pebble.issuingRoot();
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port: httpsPort, servername: name, ca }, () => {
      const cert = socket.getPeerCertificate();
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${name}\r\nConnection: close\r\n\r\n`);
      let data = "";
      socket.on("data", (d) => (data += d));
      socket.on("end", () => resolve({ cert, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), body: data.split("\r\n\r\n").slice(1).join("\r\n\r\n") }));
    });
    socket.on("error", reject);
  });
}

async function getPage(id: string): Promise<Page> {
  const res = await admin.request(`/api/v1/status-pages/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

const sql = (text: string, values: unknown[] = []) => serverSql(server, text, values);

beforeAll(async () => {
  httpPort = await freePort();
  httpsPort = await freePort();
  pebble = await startPebble({ httpPort });
  server = await startServer({
    env: {
      NGINX_BIN: "/usr/sbin/nginx",
      NGINX_HTTP_PORT: String(httpPort),
      NGINX_HTTPS_PORT: String(httpsPort),
      NGINX_LISTEN_ADDRESS: "127.0.0.1",
      ACME_DIRECTORY_URL: pebble.directoryUrl,
      NODE_EXTRA_CA_CERTS: pebble.tlsCaFile,
    },
  });
  admin = await setUpServer(server);
  const m = await admin.post("/api/v1/monitors", { name: "Checkout API", type: "push", intervalSeconds: 60 });
  expect(m.status).toBe(201);
  monitorId = ((await m.json()) as { id: string }).id;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (server) stopNginxOf(server.dataDir);
  await pebble?.stop();
});

describe("a status page on its custom domain", () => {
  test("saving the domain serves the page through nginx over HTTP at once, and over HTTPS once pebble issued the certificate", async () => {
    const res = await admin.post("/api/v1/status-pages", { slug: "acme-status", title: "Acme Status", monitorIds: [monitorId], customDomain: "Status.Acme.test" });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as Page;
    pageId = created.id;
    // Stored lower case; a certificate is on its way.
    expect(created.customDomain).toBe("status.acme.test");
    expect(created.domain?.certificate?.status).toMatch(/pending|issued/);

    // Over HTTP right away: "/" leads to the page, the page is the control plane's.
    expect((await viaNginx(httpPort, "status.acme.test", "/")).status).toBe(302);
    const page = await viaNginx(httpPort, "status.acme.test", "/status/acme-status");
    expect(page.status).toBe(200);
    expect(page.body).toContain("Acme Status");
    expect(page.body).toContain("Checkout API");

    const issued = await expect
      .poll(async () => (await getPage(pageId)).domain?.certificate?.status, { timeout: 90_000, interval: 300 })
      .toBe("issued")
      .then(() => getPage(pageId));
    expect(issued.domain!.certificate!.error).toBeNull();
    // The certificate is an ordinary one of the organization's, for exactly this name.
    const cert = (await (await admin.request(`/api/v1/certificates/${issued.domain!.certificate!.id}`)).json()) as { domains: string[]; issuer: string };
    expect(cert).toMatchObject({ domains: ["status.acme.test"] });
    expect(cert.issuer).toMatch(/Pebble/);

    // nginx serves it (the apply after issuance) over HTTPS with that certificate.
    await expect.poll(async () => (await https("status.acme.test", "/status/acme-status").catch(() => ({ status: 0 }))).status, { timeout: 30_000, interval: 300 }).toBe(200);
    const secure = await https("status.acme.test", "/status/acme-status");
    expect(secure.cert.subjectaltname).toBe("DNS:status.acme.test");
    expect(secure.body).toContain("Acme Status");
    // The page's own data request and the static assets it loads pass too (the page hydrates).
    const asset = /\/assets\/[A-Za-z0-9._-]+\.css/.exec(secure.body)?.[0];
    expect(asset).toBeTruthy();
    expect((await https("status.acme.test", asset!)).status).toBe(200);
  }, 150_000);

  test("nothing else of the app is reachable through that name, over HTTP or HTTPS", async () => {
    const other = await admin.post("/api/v1/status-pages", { slug: "internal-only", title: "Internal", monitorIds: [] });
    expect(other.status).toBe(201);
    for (const path of ["/api/v1/monitors", "/api/v1/status-pages", "/api/v1/status/acme-status", "/login", "/monitors", "/setup", "/status/internal-only", "/healthz", "/socket.io/?EIO=4&transport=polling"]) {
      expect((await viaNginx(httpPort, "status.acme.test", path)).status, `http ${path}`).toBe(404);
      expect((await https("status.acme.test", path)).status, `https ${path}`).toBe(404);
    }
    // The same paths on the control plane itself still work (with a session).
    expect((await admin.request("/api/v1/monitors")).status).toBe(200);
  });

  test("the domain field is validated: a host name, not a wildcard, one label or a URL (400 with the field)", async () => {
    for (const bad of ["not a domain", "*.acme.test", "localhost", "https://status.acme.test/", "a;b.test"]) {
      const res = await admin.request(`/api/v1/status-pages/${pageId}`, { method: "PATCH", json: { customDomain: bad } });
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields, bad).toHaveProperty("customDomain");
    }
    expect((await getPage(pageId)).customDomain).toBe("status.acme.test");
  });

  test("the name is unique across the service: another page, the organization's proxy hosts, another organization's proxy host or status page (409)", async () => {
    const again = await admin.post("/api/v1/status-pages", { slug: "second", title: "Second", customDomain: "status.acme.test" });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string; fields: Record<string, string> } }).error).toMatchObject({ code: "domain_taken", fields: { customDomain: expect.any(String) } });

    const agentId = ((await (await admin.request("/api/v1/agents")).json()) as { items: { id: string }[] }).items[0]!.id;
    const host = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["shop.acme.test"], upstream: { scheme: "http", host: "127.0.0.1", port: 9 } });
    expect(host.status).toBe(201);
    const own = await admin.post("/api/v1/status-pages", { slug: "shop-status", title: "Shop", customDomain: "shop.acme.test" });
    expect(own.status).toBe(409);

    // Another organization (made in SQL: Community has one) serving two names.
    const orgB = randomUUID();
    await sql(`INSERT INTO "Organization" (id, name, slug) VALUES ($1, 'B', $2)`, [orgB, `b-${orgB.slice(0, 8)}`]);
    await sql(`INSERT INTO "ProxyHost" (id, "orgId", "agentId", domains, config, "updatedAt") VALUES ($1, $2, $3, ARRAY['theirs.example.org'], '{}', now())`, [randomUUID(), orgB, randomUUID()]);
    await sql(`INSERT INTO "StatusPage" (id, "orgId", slug, title, "monitorIds", "customDomain", "updatedAt") VALUES ($1, $2, $3, 'B', '{}', 'status.example.org', now())`, [randomUUID(), orgB, `b-${orgB.slice(0, 8)}`]);
    for (const name of ["theirs.example.org", "STATUS.example.org"]) {
      const res = await admin.post("/api/v1/status-pages", { slug: `x-${name.length}-${name[0]}`.toLowerCase(), title: "X", customDomain: name });
      expect(res.status, name).toBe(409);
      const body = (await res.json()) as { error: { message: string } };
      // It says the name is taken, never by whom.
      expect(body.error.message).not.toMatch(new RegExp(orgB));
    }
    // …and the other way round: a proxy host cannot take the page's name.
    const clash = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["status.acme.test"], upstream: { scheme: "http", host: "127.0.0.1", port: 9 } });
    expect(clash.status).toBe(409);
    expect(((await clash.json()) as { error: { message: string } }).error.message).toMatch(/custom domain of the status page acme-status/);
    // Nothing was created by the refused attempts.
    const pages = ((await (await admin.request("/api/v1/status-pages")).json()) as { items: { slug: string }[] }).items.map((p) => p.slug);
    expect(pages.sort()).toEqual(["acme-status", "internal-only"]);
  });

  test("removing the domain removes the server block and the certificate made for it", async () => {
    const liveConf = () => readFileSync(join(server.dataDir, "nginx", "live", "nginx.conf"), "utf8");
    expect(liveConf()).toContain(`status-sites/${pageId}`);
    const before = await getPage(pageId);
    const certId = before.domain!.certificate!.id;
    const res = await admin.request(`/api/v1/status-pages/${pageId}`, { method: "PATCH", json: { customDomain: "" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Page)).toMatchObject({ customDomain: null, domain: null });
    // nginx's default site answers that name now (404), not the page.
    const http = await viaNginx(httpPort, "status.acme.test", "/status/acme-status");
    expect(http.status).toBe(404);
    expect(http.body).not.toContain("Acme Status");
    expect(liveConf()).not.toContain("status-sites/");
    expect((await admin.request(`/api/v1/certificates/${certId}`)).status).toBe(404);
    // The page itself is still at /status/<slug> on the control plane.
    expect((await fetch(`${server.url}/status/acme-status`)).status).toBe(200);
  });
});
