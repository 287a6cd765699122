// DNS and ping monitors' checks against real servers on loopback: a real DNS server
// (pebble-challtestsrv, records set through its management API) and a TCP listener; the address
// policy applies to the DNS server a monitor names and to the host it pings.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServer, type AddressInfo, type Server } from "node:net";
import { checkDns } from "~/server/monitors/checks/dns.server";
import { checkPing } from "~/server/monitors/checks/ping.server";
import { DnsConfigSchema, PingConfigSchema } from "~/validation/monitors";
import { startDnsServer, type DnsServer } from "../setup/challtestsrv";

let dns: DnsServer;
let tcp: Server;
let tcpPort: number;

beforeAll(async () => {
  dns = await startDnsServer("127.0.0.1");
  tcp = createServer((s) => s.end());
  await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", () => r()));
  tcpPort = (tcp.address() as AddressInfo).port;
}, 30_000);

afterAll(async () => {
  await dns?.stop();
  await new Promise<void>((r) => (tcp ? tcp.close(() => r()) : r()));
});

const allowDns = () => ({ allowPrivate: false, allowedHosts: [dns.address] });
const dnsConfig = (c: Record<string, unknown>) => DnsConfigSchema.parse({ server: dns.address, ...c });

describe("DNS monitors", () => {
  test("an A record equal to the expected address is up", async () => {
    await dns.post("/add-a", { host: "shop.monitor.test.", addresses: ["10.1.2.3"] });
    const r = await checkDns(dnsConfig({ name: "shop.monitor.test", recordType: "A", expected: "10.1.2.3" }), allowDns());
    expect(r).toMatchObject({ ok: true });
    expect(r.message).toContain("10.1.2.3");
  });

  test("an A record other than the expected one is down with cause dns", async () => {
    await dns.post("/add-a", { host: "moved.monitor.test.", addresses: ["10.9.9.9"] });
    const r = await checkDns(dnsConfig({ name: "moved.monitor.test", recordType: "A", expected: "10.1.2.3" }), allowDns());
    expect(r).toMatchObject({ ok: false, cause: "dns" });
    expect(r.message).toMatch(/10\.9\.9\.9, expected 10\.1\.2\.3/);
  });

  test("AAAA and TXT records are compared too", async () => {
    await dns.post("/add-aaaa", { host: "v6.monitor.test.", addresses: ["2001:db8::7"] });
    await dns.post("/set-txt", { host: "txt.monitor.test.", value: "v=spf1 -all" });
    expect(await checkDns(dnsConfig({ name: "v6.monitor.test", recordType: "AAAA", expected: "2001:db8::7" }), allowDns())).toMatchObject({ ok: true });
    expect(await checkDns(dnsConfig({ name: "txt.monitor.test", recordType: "TXT", expected: "v=spf1 -all" }), allowDns())).toMatchObject({ ok: true });
    expect(await checkDns(dnsConfig({ name: "txt.monitor.test", recordType: "TXT", expected: "v=spf1 ~all" }), allowDns())).toMatchObject({ ok: false, cause: "dns" });
  });

  test("a name with no record of the type is down with cause dns", async () => {
    const r = await checkDns(dnsConfig({ name: "nothing.monitor.test", recordType: "AAAA", expected: null }), allowDns());
    expect(r).toMatchObject({ ok: false, cause: "dns" });
  });

  test("refuses to query a DNS server the address policy does not allow (loopback not listed) with cause refused", async () => {
    const r = await checkDns(dnsConfig({ name: "shop.monitor.test" }), { allowPrivate: false, allowedHosts: [] });
    expect(r).toMatchObject({ ok: false, cause: "refused" });
    expect(r.message).toMatch(/loopback/);
  });

  test("a DNS server that does not answer is down with cause timeout", async () => {
    // A UDP port with nothing behind it on loopback: the query is never answered (or refused).
    const r = await checkDns(DnsConfigSchema.parse({ name: "shop.monitor.test", server: "127.0.0.1:9" }), { allowPrivate: false, allowedHosts: ["127.0.0.1:9"] }, 1_000);
    expect(r.ok).toBe(false);
    expect(["timeout", "connection"]).toContain(r.cause);
  });
});

describe("ping monitors", () => {
  const allowTcp = () => ({ allowPrivate: false, allowedHosts: [`127.0.0.1:${tcpPort}`] });

  test("without a usable ping binary, connects over TCP to the given port and says so", async () => {
    const r = await checkPing(PingConfigSchema.parse({ host: "127.0.0.1", port: tcpPort }), allowTcp(), { pingBinary: null });
    expect(r).toMatchObject({ ok: true });
    expect(r.message).toMatch(new RegExp(`^TCP connect to port ${tcpPort} \\(no ping binary installed\\): open`));
  });

  test("a ping binary that may not open an ICMP socket falls back to TCP and says why", async () => {
    // A stand-in for iputils' ping without CAP_NET_RAW (and outside ping_group_range): it prints
    // what that ping prints and exits 2.
    const fake = "/tmp/infrapilot-fake-ping-" + process.pid;
    const { writeFileSync, chmodSync, rmSync } = await import("node:fs");
    writeFileSync(fake, "#!/bin/sh\necho 'ping: socket: Operation not permitted' >&2\nexit 2\n");
    chmodSync(fake, 0o755);
    try {
      const r = await checkPing(PingConfigSchema.parse({ host: "127.0.0.1", port: tcpPort }), allowTcp(), { pingBinary: fake });
      expect(r).toMatchObject({ ok: true });
      expect(r.message).toContain("ICMP not permitted here");
    } finally {
      rmSync(fake, { force: true });
    }
  });

  test("the TCP fallback is down when nothing listens on the port", async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const r = await checkPing(PingConfigSchema.parse({ host: "127.0.0.1", port: closed }), { allowPrivate: false, allowedHosts: [`127.0.0.1:${closed}`] }, { pingBinary: null });
    expect(r).toMatchObject({ ok: false, cause: "connection" });
  });

  test("refuses to ping a host the address policy does not allow with cause refused", async () => {
    const r = await checkPing(PingConfigSchema.parse({ host: "127.0.0.1", port: tcpPort }), { allowPrivate: false, allowedHosts: [] }, { pingBinary: null });
    expect(r).toMatchObject({ ok: false, cause: "refused" });
  });
});
