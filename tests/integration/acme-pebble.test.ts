// ACME end to end against pebble (Let's Encrypt's test CA) on loopback: the real server issues a
// certificate through HTTP-01 answered by our nginx, nginx serves it over HTTPS, a renewal
// replaces it, a challenge the CA cannot reach shows the CA's own error, and uploads are
// validated. The server trusts pebble's API certificate through NODE_EXTRA_CA_CERTS; the served
// certificate is checked against pebble's issuing root from its management endpoint.
import { stopNginx, stopNginxOf } from "../setup/nginx";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServer, request as httpRequest, type Server } from "node:http";
import { connect as tlsConnect, type PeerCertificate } from "node:tls";
import pg from "pg";
import { freePort } from "../setup/postgres";
import { startPebble, type Pebble } from "../setup/pebble";
import { setUpServer, startServer, type Client, type TestServer } from "../setup/server";
import { makeChain } from "../setup/cert-chain";

let pebble: Pebble;
let server: TestServer;
let admin: Client;
let upstream: Server;
let upstreamPort: number;
let httpPort: number;
let httpsPort: number;
let agentId: string;
let serverEnv: Record<string, string>;

interface Cert {
  id: string;
  status: string;
  error: string | null;
  serialNumber: string | null;
  renewing: boolean;
  notAfter: string | null;
  issuer: string | null;
  proxyHostIds: string[];
}

async function waitFor(id: string, done: (c: Cert) => boolean, timeoutMs = 60_000): Promise<Cert> {
  const deadline = Date.now() + timeoutMs;
  let last: Cert | undefined;
  while (Date.now() < deadline) {
    last = (await (await admin.request(`/api/v1/certificates/${id}`)).json()) as Cert;
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`certificate ${id} did not settle: ${JSON.stringify(last)}\n${server.output()}`);
}

/** HTTPS to nginx on loopback with SNI `servername`, trusting only pebble's issuing root. */
async function https(servername: string): Promise<{ cert: PeerCertificate; head: string; body: string }> {
  const ca = await pebble.issuingRoot();
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port: httpsPort, servername, ca }, () => {
      const cert = socket.getPeerCertificate();
      socket.write(`GET / HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`);
      let data = "";
      socket.on("data", (d) => (data += d));
      socket.on("end", () => resolve({ cert, head: data.split("\r\n\r\n")[0]!, body: data.split("\r\n\r\n").slice(1).join("\r\n\r\n") }));
    });
    socket.on("error", reject);
  });
}

beforeAll(async () => {
  upstreamPort = await freePort();
  upstream = createServer((_req, res) => res.end("secure upstream"));
  await new Promise<void>((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
  httpPort = await freePort();
  httpsPort = await freePort();
  pebble = await startPebble({ httpPort });
  serverEnv = {
    NGINX_BIN: "/usr/sbin/nginx",
    NGINX_HTTP_PORT: String(httpPort),
    NGINX_HTTPS_PORT: String(httpsPort),
    NGINX_LISTEN_ADDRESS: "127.0.0.1",
    ACME_DIRECTORY_URL: pebble.directoryUrl,
    NODE_EXTRA_CA_CERTS: pebble.tlsCaFile,
  };
  server = await startServer({ env: serverEnv });
  admin = await setUpServer(server);
  agentId = (await (await admin.request("/api/v1/agents")).json()).items[0].id;
});

afterAll(async () => {
  await server?.stop();
  if (server) stopNginxOf(server.dataDir);
  await pebble?.stop();
  upstream?.close();
});

describe("ACME against pebble", () => {
  let certId: string;
  let firstSerial: string;

  test("a certificate for app.test is issued through HTTP-01 answered by nginx and served over HTTPS", async () => {
    const host = await (await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["app.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort } })).json();
    expect(host.status.state).toBe("ok");
    const res = await admin.post("/api/v1/certificates", { domains: ["app.test"], mode: "acme" });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Cert;
    expect(created).toMatchObject({ status: "pending", notAfter: null });
    certId = created.id;
    const issued = await waitFor(certId, (c) => c.status !== "pending" && !c.renewing);
    expect(issued).toMatchObject({ status: "issued", error: null });
    expect(issued.issuer).toMatch(/Pebble Intermediate/);
    firstSerial = issued.serialNumber!;

    const patched = await admin.request(`/api/v1/agents/${agentId}/proxies/${host.id}`, {
      method: "PATCH",
      json: { kind: "proxy", domains: ["app.test"], upstream: host.upstream, tls: { mode: "acme", certificateId: certId, forceHttps: true, hsts: { enabled: true, maxAge: 600 } } },
    });
    expect(patched.status).toBe(200);
    expect((await patched.json()).status.state).toBe("ok");
    const served = await https("app.test");
    expect(served.cert.serialNumber.toUpperCase()).toBe(firstSerial);
    expect(served.cert.subjectaltname).toBe("DNS:app.test");
    expect(served.body).toContain("secure upstream");
    expect((await (await admin.request(`/api/v1/certificates/${certId}`)).json()).proxyHostIds).toEqual([host.id]);
  });

  test("the private key is never returned", async () => {
    const text = (await (await admin.request(`/api/v1/certificates/${certId}`)).text()) + (await (await admin.request("/api/v1/certificates")).text());
    expect(text).not.toMatch(/PRIVATE KEY|keySealed|BEGIN CERTIFICATE/);
  });

  test("a renewal replaces the served certificate with a new serial", async () => {
    const res = await admin.post(`/api/v1/certificates/${certId}/renew`, {});
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ renewing: true, status: "issued" });
    const renewed = await waitFor(certId, (c) => !c.renewing);
    expect(renewed).toMatchObject({ status: "issued", error: null });
    expect(renewed.serialNumber).not.toBe(firstSerial);
    expect((await https("app.test")).cert.serialNumber.toUpperCase()).toBe(renewed.serialNumber);
  });

  test("a certificate within 30 days of its end is renewed by the scheduled job, with nobody asking", async () => {
    const before = (await (await admin.request(`/api/v1/certificates/${certId}`)).json()) as Cert;
    const db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      await db.query(`UPDATE "Certificate" SET "notAfter" = now() + interval '10 days' WHERE id = $1`, [certId]);
    } finally {
      await db.end();
    }
    // The renewal job runs hourly and once shortly after start-up: restart InfraPilot (and nginx,
    // as a reboot would) with the same data, and nobody touches the certificate.
    await server.stop();
    await stopNginx(server.dataDir);
    server = await startServer({ env: serverEnv, database: server.databaseUrl, dataDir: server.dataDir, port: server.port });
    const renewed = await waitFor(certId, (c) => c.serialNumber !== before.serialNumber && !c.renewing, 90_000);
    expect(renewed).toMatchObject({ status: "issued", error: null });
    expect(Date.parse(renewed.notAfter!)).toBeGreaterThan(Date.now() + 30 * 24 * 3600 * 1000);
    expect((await https("app.test")).cert.serialNumber.toUpperCase()).toBe(renewed.serialNumber);
  }, 150_000);

  test("a challenge the CA cannot reach shows the CA's own error", async () => {
    // challtestsrv sends pebble to 127.0.0.2, where nothing listens (nginx is on 127.0.0.1).
    await pebble.setAddress("broken.test", "127.0.0.2");
    const created = (await (await admin.post("/api/v1/certificates", { domains: ["broken.test"], mode: "acme" })).json()) as Cert;
    const failed = await waitFor(created.id, (c) => c.status !== "pending" && !c.renewing);
    expect(failed.status).toBe("error");
    expect(failed.error).toMatch(/^The CA did not issue the certificate: .*127\.0\.0\.2.*(refused|connect)/i);
    expect(failed.notAfter).toBeNull();
    const page = await (await admin.request("/certificates")).text();
    expect(page).toContain("127.0.0.2");
  });

  test("a host asking for Let's Encrypt without a certificate gets one and goes HTTPS", async () => {
    const res = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["auto.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort }, tls: { mode: "acme" } });
    expect(res.status).toBe(201);
    const host = await res.json();
    expect(host.tls.certificateId).toMatch(/^[0-9a-f-]{36}$/);
    const cert = await waitFor(host.tls.certificateId, (c) => c.status !== "pending" && !c.renewing);
    expect(cert.status).toBe("issued");
    expect((await https("auto.test")).body).toContain("secure upstream");
  });

  test("refuses to let a rate limit, an access list, exploit blocking or forced HTTPS fail issuance or renewal of the host's certificate", async () => {
    const list = await admin.post("/api/v1/access-lists", { name: "office only", satisfy: "all", users: [{ username: "alice", password: "a long enough password" }], rules: [{ action: "allow", address: "10.0.0.0/8" }, { action: "deny", address: "all" }] });
    expect(list.status).toBe(201);
    const listId = (await list.json()).id as string;
    const guards = { rateLimit: { requestsPerSecond: 1, burst: 0 }, accessListId: listId, blockExploits: true };
    const res = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["guarded.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort }, ...guards, tls: { mode: "acme", forceHttps: true } });
    expect(res.status).toBe(201);
    const host = await res.json();
    expect(host).toMatchObject({ ...guards, tls: { mode: "acme", forceHttps: true } });
    const cert = await waitFor(host.tls.certificateId, (c) => c.status !== "pending" && !c.renewing);
    expect(cert).toMatchObject({ status: "issued", error: null });
    // Served, and the guards still hold everywhere but on the challenge path (one request over
    // HTTPS: a second one within the second would meet the rate limit first).
    const served = await https("guarded.test");
    expect(served.cert.serialNumber.toUpperCase()).toBe(cert.serialNumber);
    expect(served.head).toMatch(/^HTTP\/1\.1 403 /);
    // The redirect keeps the non-standard HTTPS port nginx listens on here (decision 071).
    expect(await plainHttp("guarded.test", "/")).toEqual({ status: 301, location: `https://guarded.test:${httpsPort}/` });
    expect((await plainHttp("guarded.test", "/.well-known/acme-challenge/none")).status).toBe(404);

    // Renewal goes through the forced-HTTPS server on port 80 now, with the guards on.
    const renew = await admin.post(`/api/v1/certificates/${cert.id}/renew`, {});
    expect(renew.status).toBe(202);
    const renewed = await waitFor(cert.id, (c) => !c.renewing);
    expect(renewed).toMatchObject({ status: "issued", error: null });
    expect(renewed.serialNumber).not.toBe(cert.serialNumber);
  });

  test("refuses to blame advanced directives when the challenge URL answers with a redirect: the pre-flight names the status", async () => {
    const res = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["moved.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort }, advanced: "return 301 https://elsewhere.test/;" });
    expect(res.status).toBe(201);
    const created = (await (await admin.post("/api/v1/certificates", { domains: ["moved.test"], mode: "acme" })).json()) as Cert;
    const failed = await waitFor(created.id, (c) => c.status !== "pending" && !c.renewing);
    expect(failed.status).toBe("error");
    expect(failed.error).toMatch(/the challenge URL \(http:\/\/moved\.test\/\.well-known\/acme-challenge\/…\) answered 301 Moved Permanently \(to https:\/\/elsewhere\.test\/\): the request is redirected/);
  });
});

/** Plain HTTP to nginx's HTTP port on loopback with `Host: host`. */
function plainHttp(host: string, path: string): Promise<{ status: number; location: string | null }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: httpPort, path, headers: { Host: host }, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("uploaded certificates", () => {
  const pki = makeChain(["upload.test"]);

  test("a valid chain and key are stored as issued and can be served", async () => {
    const res = await admin.post("/api/v1/certificates", { domains: ["upload.test"], mode: "custom", certificatePem: pki.leaf + pki.intermediate, keyPem: pki.leafKey });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ status: "issued", mode: "custom", issuer: "InfraPilot Test Intermediate", autoRenew: false });
  });

  test("a key that does not match gets a field error and nothing is stored", async () => {
    const before = (await (await admin.request("/api/v1/certificates")).json()).items.length;
    const res = await admin.post("/api/v1/certificates", { domains: ["upload.test"], mode: "custom", certificatePem: pki.leaf + pki.intermediate, keyPem: pki.otherKey });
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields).toEqual({ keyPem: "This private key does not belong to the certificate (the first one in the chain)." });
    expect((await (await admin.request("/api/v1/certificates")).json()).items.length).toBe(before);
  });

  test("renewing an uploaded certificate is a conflict", async () => {
    const items = (await (await admin.request("/api/v1/certificates")).json()).items as (Cert & { mode: string })[];
    const uploaded = items.find((c) => c.mode === "custom")!;
    expect((await admin.post(`/api/v1/certificates/${uploaded.id}/renew`, {})).status).toBe(409);
  });
});
