// Audit forwarders (decision 146) against the real SaaS server and a real rsyslog on loopback
// receiving UDP, TCP and TLS: validation and the address policy at save, "Send test", every entry
// arriving in order from each forwarder's cursor, nothing lost across a receiver restart (the
// error and the lag shown meanwhile), a dead destination holding nobody else up, and Community
// answering 404.
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import net from "node:net";
import { startRsyslog, type Rsyslog } from "../setup/rsyslog";
import { saasOwnerClient } from "../setup/saas";
import { startServer, type Client, type TestServer } from "../setup/server";
import { freePort } from "../setup/postgres";

let server: TestServer;
let owner: Client;
let rs: Rsyslog;
let blackhole: net.Server;
let blackholePort: number;
const held: net.Socket[] = [];

beforeAll(async () => {
  rs = await startRsyslog();
  // A destination that accepts connections and then never reads or answers.
  blackholePort = await freePort();
  blackhole = net.createServer((s) => {
    s.pause();
    held.push(s);
  });
  await new Promise<void>((r) => blackhole.listen(blackholePort, "127.0.0.1", r));
  server = await startServer({
    env: {
      EDITION: "saas",
      DOCKER_HOST: inject("dockerHost"),
      ALERTS_ALLOWED_HOSTS: `127.0.0.1:${rs.udpPort},127.0.0.1:${rs.tcpPort},localhost:${rs.tlsPort},127.0.0.1:${blackholePort}`,
    },
  });
  ({ client: owner } = await saasOwnerClient(server, "siem"));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rs?.close();
  held.forEach((s) => s.destroy());
  await new Promise((r) => blackhole?.close(r));
});

interface Forwarder {
  id: string;
  lastForwardedId: string;
  lagEntries: number;
  lastError: string | null;
  enabled: boolean;
}

async function forwarders(): Promise<Forwarder[]> {
  const res = await owner.request("/api/v1/audit/forwarders");
  expect(res.status).toBe(200);
  return (await res.json()) as Forwarder[];
}

async function create(config: Record<string, unknown>): Promise<Forwarder> {
  const res = await owner.post("/api/v1/audit/forwarders", { type: "syslog", config });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Forwarder;
}

/** Some audited changes (each settings change is one entry). */
async function makeEntries(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await owner.request("/api/v1/audit/settings", { method: "PATCH", json: { retentionDays: 100 + (i % 50) } });
    expect(res.status).toBe(200);
  }
}

async function auditIds(): Promise<string[]> {
  const res = await owner.request("/api/v1/audit/export?format=json");
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }[]).map((e) => e.id);
}

/** The entry ids that arrived on one rsyslog input, in arrival order. */
function arrived(input: "udp" | "tcp" | "tls"): string[] {
  return rs
    .lines(input)
    .map((l) => /^\S+ \[audit@32473 id="(\d+)"/.exec(l)?.[1])
    .filter((id): id is string => id !== undefined && id !== "0");
}

describe("audit forwarders over syslog", () => {
  test("bad input answers 400 with the field; destinations outside the address policy are refused", async () => {
    const bad = await owner.post("/api/v1/audit/forwarders", { type: "syslog", config: { host: "rx.example.com; rm -rf /", port: 70000, protocol: "smtp" } });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { fields: Record<string, string> } };
    expect(Object.keys(body.error.fields)).toEqual(expect.arrayContaining(["config.host", "config.port", "config.protocol"]));
    const s3 = await owner.post("/api/v1/audit/forwarders", { type: "s3", config: { host: "127.0.0.1", port: rs.tcpPort, protocol: "tcp" } });
    expect(s3.status).toBe(400);
    expect(await s3.text()).toMatch(/Only syslog/);
    for (const host of ["127.0.0.1", "10.0.0.8", "169.254.169.254"]) {
      // 127.0.0.1 on a port the allow-list does not name; a private address; the metadata service.
      const res = await owner.post("/api/v1/audit/forwarders", { type: "syslog", config: { host, port: 4444, protocol: "tcp" } });
      expect(res.status, host).toBe(400);
      expect(((await res.json()) as { error: { fields: Record<string, string> } }).error.fields["config.host"]).toMatch(/refused/);
    }
    expect(await forwarders()).toEqual([]);
  });

  test("TCP: Send test, then every entry from the start arrives in id order and the lag drops to 0", async () => {
    await makeEntries(5);
    const fw = await create({ host: "127.0.0.1", port: rs.tcpPort, protocol: "tcp" });
    const tested = await owner.post(`/api/v1/audit/forwarders/${fw.id}/test`, {});
    expect(await tested.json()).toMatchObject({ ok: true });
    await expect.poll(() => rs.lines("tcp").some((l) => l.startsWith("audit.forwarder.test ")), { timeout: 30_000 }).toBe(true);
    const ids = await auditIds();
    await expect.poll(() => ids.every((id) => arrived("tcp").includes(id)), { timeout: 60_000, interval: 500 }).toBe(true);
    const got = arrived("tcp");
    expect(got.slice(0, ids.length)).toEqual(ids); // in order, from the first entry
    // The entries the forwarder's own creation and the settings changes wrote are structured data rsyslog parsed.
    expect(rs.lines("tcp").find((l) => l.startsWith("audit.settings.update "))).toMatch(/outcome="success"/);
    await expect.poll(async () => (await forwarders()).find((f) => f.id === fw.id), { timeout: 30_000 }).toMatchObject({ lagEntries: 0, lastError: null });
  });

  test("a receiver restart loses nothing: the error and the lag show while it is down, the backlog follows once it is back", async () => {
    const fw = (await forwarders())[0]!;
    await rs.stop();
    await makeEntries(4);
    await expect.poll(async () => (await forwarders()).find((f) => f.id === fw.id)?.lastError ?? null, { timeout: 60_000, interval: 500 }).toMatch(/ECONNREFUSED|closed/);
    expect((await forwarders()).find((f) => f.id === fw.id)!.lagEntries).toBeGreaterThanOrEqual(4);
    await rs.start();
    const ids = await auditIds();
    await expect.poll(() => ids.filter((id) => !arrived("tcp").includes(id)), { timeout: 90_000, interval: 500 }).toEqual([]);
    await expect.poll(async () => (await forwarders()).find((f) => f.id === fw.id), { timeout: 30_000 }).toMatchObject({ lagEntries: 0, lastError: null });
  });

  test("TLS (checked against the receiver's certificate) and UDP deliver too; a blackholed destination holds nobody up", async () => {
    const dead = await create({ host: "127.0.0.1", port: blackholePort, protocol: "tcp" });
    const tls = await create({ host: "localhost", port: rs.tlsPort, protocol: "tls", caCertPem: rs.caCertPem });
    const udp = await create({ host: "127.0.0.1", port: rs.udpPort, protocol: "udp" });
    await makeEntries(3);
    const ids = await auditIds();
    await expect.poll(() => ids.filter((id) => !arrived("tls").includes(id)), { timeout: 60_000, interval: 500 }).toEqual([]);
    await expect.poll(() => ids.filter((id) => !arrived("udp").includes(id)), { timeout: 60_000, interval: 500 }).toEqual([]);
    // The blackhole never acknowledged: its cursor has not moved, and it says why.
    await expect.poll(async () => (await forwarders()).find((f) => f.id === dead.id)?.lastError ?? null, { timeout: 60_000, interval: 1000 }).toMatch(/no answer within/);
    expect((await forwarders()).find((f) => f.id === dead.id)).toMatchObject({ lastForwardedId: "0" });
    // A TLS forwarder that does not trust the receiver's certificate fails with the reason.
    const untrusted = await create({ host: "localhost", port: rs.tlsPort, protocol: "tls" });
    const tested = await owner.post(`/api/v1/audit/forwarders/${untrusted.id}/test`, {});
    expect(await tested.json()).toMatchObject({ ok: false, message: expect.stringMatching(/certificate/i) });
    for (const f of [dead, tls, udp, untrusted]) expect((await owner.request(`/api/v1/audit/forwarders/${f.id}`, { method: "DELETE" })).status).toBe(204);
  });

  test("disabling stops delivery; changes are audited", async () => {
    const fw = (await forwarders())[0]!;
    const off = await owner.request(`/api/v1/audit/forwarders/${fw.id}`, { method: "PATCH", json: { enabled: false } });
    expect(await off.json()).toMatchObject({ enabled: false });
    const before = arrived("tcp").length;
    // A second forwarder (UDP) shows when a delivery round has shipped the new entries.
    const witness = await create({ host: "127.0.0.1", port: rs.udpPort, protocol: "udp" });
    await makeEntries(2);
    const ids = await auditIds();
    await expect.poll(() => ids.filter((id) => !arrived("udp").includes(id)), { timeout: 60_000, interval: 500 }).toEqual([]);
    expect(arrived("tcp").length).toBe(before);
    expect((await forwarders()).find((f) => f.id === fw.id)!.lagEntries).toBeGreaterThanOrEqual(3);
    expect((await owner.request(`/api/v1/audit/forwarders/${witness.id}`, { method: "DELETE" })).status).toBe(204);
    const actions = ((await (await owner.request("/api/v1/audit?action=audit.forwarder")).json()) as { items: { action: string }[] }).items.map((i) => i.action);
    expect(actions).toEqual(expect.arrayContaining(["audit.forwarder.create", "audit.forwarder.update", "audit.forwarder.delete"]));
  });
});

describe("Community", () => {
  test("forwarders are a SaaS feature: 404", async () => {
    const community = await startServer({ env: { DOCKER_HOST: inject("dockerHost") } });
    try {
      const res = await fetch(`${community.url}/api/v1/audit/forwarders`);
      expect(res.status).toBe(404);
    } finally {
      await community.stop();
    }
  });
});
