import { describe, expect, test } from "vitest";
import { matchDnsAnswer, parseDnsServer, recordsAsText } from "#agent/checks/dns-match";
import { icmpNotPermitted, parsePingTime } from "~/server/monitors/checks/ping";

describe("DNS answers", () => {
  test("reads a server as host, host:port or [v6]:port, port 53 by default", () => {
    expect(parseDnsServer("1.1.1.1")).toEqual({ host: "1.1.1.1", port: 53 });
    expect(parseDnsServer("127.0.0.1:5353")).toEqual({ host: "127.0.0.1", port: 5353 });
    expect(parseDnsServer("[2001:db8::1]:53")).toEqual({ host: "2001:db8::1", port: 53 });
    expect(parseDnsServer("2001:db8::1")).toEqual({ host: "2001:db8::1", port: 53 });
    expect(parseDnsServer("ns.example.com:70000")).toBeNull();
  });

  test("renders MX, TXT and names comparably", () => {
    expect(recordsAsText("MX", [{ priority: 10, exchange: "Mail.Example.com." }])).toEqual(["10 mail.example.com"]);
    expect(recordsAsText("TXT", [["v=spf1 ", "-all"]])).toEqual(["v=spf1 -all"]);
    expect(recordsAsText("CNAME", ["Shop.Example.net."])).toEqual(["shop.example.net"]);
  });

  test("matches the expected value: names without case or final dot, MX with or without priority", () => {
    expect(matchDnsAnswer("CNAME", ["shop.example.net"], "Shop.Example.NET.").ok).toBe(true);
    expect(matchDnsAnswer("MX", ["10 mail.example.com"], "mail.example.com").ok).toBe(true);
    expect(matchDnsAnswer("MX", ["10 mail.example.com"], "10 mail.example.com").ok).toBe(true);
    expect(matchDnsAnswer("NS", ["a.ns.example"], "b.ns.example")).toEqual({ ok: false, message: "NS a.ns.example, expected b.ns.example" });
    expect(matchDnsAnswer("A", ["10.0.0.1"], null).ok).toBe(true);
    expect(matchDnsAnswer("A", [], null)).toEqual({ ok: false, message: "no A record" });
  });
});

describe("ping output", () => {
  test("reads the round trip and tells a refused ICMP socket from no reply", () => {
    expect(parsePingTime("64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms")).toBe(0);
    expect(parsePingTime("64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=12.6 ms")).toBe(13);
    expect(parsePingTime("1 packets transmitted, 0 received, 100% packet loss")).toBeNull();
    expect(icmpNotPermitted("ping: socket: Operation not permitted")).toBe(true);
    expect(icmpNotPermitted("1 packets transmitted, 0 received, 100% packet loss")).toBe(false);
  });
});
