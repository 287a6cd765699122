// Two capabilities of a remote node end to end, with the real standalone agent (tsx agent/main.ts)
// as its own process against the real server (EDITION=saas, no Docker engine of its own):
// - ACME: a proxy host on the node asks for a certificate from pebble; the control plane runs
//   acme-client, the HTTP-01 key authorization is published in the node's tree and answered by the
//   node's nginx (pebble validates against the node's HTTP port), and the node's nginx serves the
//   issued certificate over HTTPS;
// - alerts: a container of the node that exits non-zero fires the organization's crash rule from
//   the node's Docker events, within seconds.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connect as tlsConnect, type PeerCertificate } from "node:tls";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { removeTestContainers } from "../setup/docker";
import { runContainer } from "../setup/containers";
import { stopNginxOf, viaNginx } from "../setup/nginx";
import { startPebble, type Pebble } from "../setup/pebble";
import { freePort } from "../setup/postgres";
import { saasOwnerClient, startAgent, type AgentProcess } from "../setup/saas";
import { startServer, type Client, type TestServer } from "../setup/server";

const RUN_ID = `racme-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
let server: TestServer;
let owner: Client;
let pebble: Pebble;
let node: AgentProcess;
let nodeId: string;
let upstream: HttpServer;
let httpPort: number;
let httpsPort: number;

interface Cert {
  id: string;
  status: string;
  error: string | null;
  serialNumber: string | null;
  renewing: boolean;
  issuer: string | null;
}

beforeAll(async () => {
  upstream = createServer((_req, res) => res.end("secure from the node"));
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  httpPort = await freePort();
  httpsPort = await freePort();
  // pebble validates HTTP-01 on the node's nginx HTTP port (challtestsrv resolves every name to 127.0.0.1).
  pebble = await startPebble({ httpPort });
  server = await startServer({
    env: { EDITION: "saas", DOCKER_HOST: "unix:///nonexistent/docker.sock", ACME_DIRECTORY_URL: pebble.directoryUrl, NODE_EXTRA_CA_CERTS: pebble.tlsCaFile, ALERTS_TICK_SECONDS: "2" },
  });
  ({ client: owner } = await saasOwnerClient(server));
  const res = await owner.post("/api/v1/agents/enrollment-tokens", { name: "acme node", maxUses: 1, expiresAt: new Date(Date.now() + 3600_000).toISOString() });
  expect(res.status).toBe(201);
  const { secret } = (await res.json()) as { secret: string };
  node = startAgent({
    serverUrl: server.url,
    token: secret,
    dockerHost,
    name: `acme-${RUN_ID.slice(-6)}`,
    env: { NGINX_MODE: "local", NGINX_BIN: "/usr/sbin/nginx", NGINX_LISTEN_ADDRESS: "127.0.0.1", NGINX_HTTP_PORT: String(httpPort), NGINX_HTTPS_PORT: String(httpsPort) },
  });
  await node.waitForLog(/connected to the control plane/, 60_000);
  nodeId = JSON.parse(readFileSync(join(node.dataDir, "agent.json"), "utf8")).agentId;
}, 120_000);

afterAll(async () => {
  await node?.stop("SIGKILL");
  if (node) stopNginxOf(node.dataDir);
  await server?.stop();
  await pebble?.stop();
  upstream?.close();
  await removeTestContainers(dockerHost, RUN_ID);
});

async function certificate(id: string, done: (c: Cert) => boolean, timeoutMs = 60_000): Promise<Cert> {
  let last: Cert | undefined;
  await expect
    .poll(async () => done((last = (await (await owner.request(`/api/v1/certificates/${id}`)).json()) as Cert)), { timeout: timeoutMs, interval: 250 })
    .toBe(true)
    .catch(() => {
      throw new Error(`certificate ${id} did not settle: ${JSON.stringify(last)}\n--- server\n${server.output()}\n--- agent\n${node.output()}`);
    });
  return last!;
}

/** HTTPS to the node's nginx with SNI `servername`, trusting only pebble's issuing root. */
async function https(servername: string): Promise<{ cert: PeerCertificate; body: string }> {
  const ca = await pebble.issuingRoot();
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port: httpsPort, servername, ca }, () => {
      const cert = socket.getPeerCertificate();
      socket.write(`GET / HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`);
      let data = "";
      socket.on("data", (d) => (data += d));
      socket.on("end", () => resolve({ cert, body: data.split("\r\n\r\n").slice(1).join("\r\n\r\n") }));
    });
    socket.on("error", reject);
  });
}

describe("ACME on a remote node", () => {
  test("a proxy host on the node gets a certificate from pebble through HTTP-01 on the node's nginx, which then serves it", async () => {
    const port = (upstream.address() as AddressInfo).port;
    const res = await owner.post(`/api/v1/agents/${nodeId}/proxies`, { kind: "proxy", domains: ["node-secure.test"], upstream: { scheme: "http", host: "127.0.0.1", port }, tls: { mode: "acme" } });
    expect(res.status).toBe(201);
    const host = (await res.json()) as { tls: { certificateId: string } };
    expect(host.tls.certificateId).toMatch(/^[0-9a-f-]{36}$/);
    const cert = await certificate(host.tls.certificateId, (c) => c.status !== "pending" && !c.renewing);
    expect(cert).toMatchObject({ status: "issued", error: null });
    expect(cert.issuer).toMatch(/Pebble Intermediate/);

    // The node's nginx serves the issued certificate for the name (the control plane has no nginx at all).
    await expect.poll(async () => (await https("node-secure.test").catch(() => null))?.cert.serialNumber.toUpperCase(), { timeout: 20_000, interval: 250 }).toBe(cert.serialNumber);
    const served = await https("node-secure.test");
    expect(served.cert.subjectaltname).toBe("DNS:node-secure.test");
    expect(served.body).toContain("secure from the node");
    // Plain HTTP still reaches the upstream through the node's nginx too.
    expect(await viaNginx(httpPort, "node-secure.test")).toMatchObject({ status: 200, body: "secure from the node" });
  }, 90_000);
});

describe("alert rules on a remote node", () => {
  type History = { items: { ruleId: string; target: string; state: string; value: number | null; message: string }[] };

  test("a container of the node that exits non-zero fires the crash rule within seconds, from the node's Docker events", async () => {
    const rule = await owner.post("/api/v1/alerts/rules", { name: "Node crash", type: "container_crash", scope: { namePattern: `${RUN_ID}-crash*` }, channelIds: [] });
    expect(rule.status, await rule.clone().text()).toBe(201);
    const ruleId = ((await rule.json()) as { id: string }).id;
    const name = `${RUN_ID}-crash1`;
    const started = Date.now();
    await runContainer(dockerHost, RUN_ID, name, ["sh", "-c", "exit 3"]);
    let history: History = { items: [] };
    await expect
      .poll(async () => (history = (await (await owner.request(`/api/v1/alerts/history?q=${name}`)).json()) as History).items.filter((h) => h.ruleId === ruleId && h.state === "firing").length, { timeout: 20_000, interval: 250 })
      .toBe(1);
    // Within seconds of the exit (docker run itself takes a moment under load), not at a later sweep.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(history.items.find((h) => h.ruleId === ruleId)).toMatchObject({ target: name, state: "firing", value: 3, message: "crashed: exited with code 3" });
  }, 60_000);

  test("another organization's rule matching the same names never sees the node's containers", async () => {
    const other = (await saasOwnerClient(server, "bystander")).client;
    const theirs = await other.post("/api/v1/alerts/rules", { name: "Everything crashing", type: "container_crash", scope: { namePattern: `${RUN_ID}-*` }, channelIds: [] });
    expect(theirs.status).toBe(201);
    const ours = await owner.post("/api/v1/alerts/rules", { name: "Node crash 2", type: "container_crash", scope: { namePattern: `${RUN_ID}-other*` }, channelIds: [] });
    expect(ours.status).toBe(201);
    const first = `${RUN_ID}-other1`;
    const barrier = `${RUN_ID}-other2`;
    const fired = async (client: Client, name: string) => ((await (await client.request(`/api/v1/alerts/history?q=${name}`)).json()) as History).items.length;
    await runContainer(dockerHost, RUN_ID, first, ["sh", "-c", "exit 1"]);
    await expect.poll(() => fired(owner, first), { timeout: 20_000, interval: 250 }).toBe(1);
    // Evaluations run one at a time, in order: once a later crash is recorded, the first one was
    // handled completely (for every organization it was ever going to reach).
    await runContainer(dockerHost, RUN_ID, barrier, ["sh", "-c", "exit 1"]);
    await expect.poll(() => fired(owner, barrier), { timeout: 20_000, interval: 250 }).toBe(1);
    expect(await fired(other, first)).toBe(0);
    expect(await fired(other, barrier)).toBe(0);
  }, 60_000);
});
