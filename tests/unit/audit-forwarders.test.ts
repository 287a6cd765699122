// Pure parts of the audit forwarders (decision 146): RFC 6587 octet counting and the backoff.
import { describe, expect, test } from "vitest";
import { backoffMs } from "~/server/audit/forwarders.server";
import { octetCounted } from "~/server/audit/syslog-sender.server";
import { AuditForwarderCreateSchema } from "~/validation/audit";

describe("octet counting", () => {
  test("each message is prefixed by its length in bytes (UTF-8, BOM included), then a space", () => {
    const framed = octetCounted(["<86>1 - - - - - - \uFEFFhé", "ab"]).toString("utf8");
    const first = "<86>1 - - - - - - \uFEFFhé";
    expect(framed).toBe(`${Buffer.byteLength(first)} ${first}2 ab`);
    expect(Buffer.byteLength(first)).toBe(first.length + 3); // the BOM is 3 bytes, é is 2
  });
});

describe("backoff", () => {
  test("doubles from 2 s and stops growing at 5 minutes", () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(backoffMs(9)).toBe(300_000);
    expect(backoffMs(1000)).toBe(300_000);
  });
});

describe("forwarder input", () => {
  test("a syslog destination is host, port and protocol; a CA certificate must look like PEM", () => {
    expect(AuditForwarderCreateSchema.safeParse({ type: "syslog", config: { host: "siem.example.com", port: 6514, protocol: "tls" } }).success).toBe(true);
    expect(AuditForwarderCreateSchema.safeParse({ type: "syslog", config: { host: "[2001:db8::1]", port: 514, protocol: "udp" } }).success).toBe(true);
    for (const config of [
      { host: "http://siem.example.com", port: 514, protocol: "tcp" },
      { host: "siem.example.com/path", port: 514, protocol: "tcp" },
      { host: "siem.example.com", port: 0, protocol: "tcp" },
      { host: "siem.example.com", port: 514, protocol: "tcp", caCertPem: "not a certificate" },
      { host: "siem.example.com", port: 514, protocol: "tcp", extra: 1 },
    ]) {
      expect(AuditForwarderCreateSchema.safeParse({ type: "syslog", config }).success, JSON.stringify(config)).toBe(false);
    }
  });
});
