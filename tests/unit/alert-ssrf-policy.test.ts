import { describe, expect, test } from "vitest";
import { canonicalIp, checkAddress, checkHost, checkUrl, hasHeaderInjection, isAllowlisted, parseIPv4, type AddressPolicy } from "~/server/alerts/address-policy";

const strict: AddressPolicy = { allowPrivate: false, allowedHosts: [] };
const lan: AddressPolicy = { allowPrivate: true, allowedHosts: [] };

describe("address parsing", () => {
  test("every spelling of 127.0.0.1 is the same address", () => {
    for (const spelling of ["127.0.0.1", "0x7f000001", "2130706433", "0177.0.0.1", "127.1", "0x7f.0.0.1", "::ffff:127.0.0.1", "::ffff:7f00:1", "[::ffff:127.0.0.1]"]) {
      const ip = canonicalIp(spelling);
      expect(ip, spelling).not.toBeNull();
      expect(checkAddress(ip!.address, lan), spelling).toEqual({ ok: false, reason: expect.stringContaining("loopback") });
    }
  });

  test("inet_aton forms are parsed like the C library does", () => {
    expect(parseIPv4("10.1")).toEqual([10, 0, 0, 1]);
    expect(parseIPv4("192.168.257")).toEqual([192, 168, 1, 1]);
    expect(parseIPv4("256.0.0.1")).toBeNull();
    expect(parseIPv4("1.2.3.4.5")).toBeNull();
    expect(parseIPv4("08.0.0.1")).toBeNull();
  });
});

describe("which addresses may be reached", () => {
  test.each([
    ["169.254.169.254", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["169.254.1.1", "link-local"],
    ["fe80::1", "link-local"],
    ["::1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["64:ff9b::7f00:1", "loopback"],
    ["2002:7f00:1::", "loopback"],
    ["::127.0.0.1", "loopback"],
  ])("%s is refused even with private targets allowed (%s)", (address, kind) => {
    const verdict = checkAddress(address, lan);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toContain(kind);
  });

  test.each(["10.0.0.5", "172.16.3.4", "192.168.1.10", "100.64.0.1", "fd12:3456::1", "::ffff:192.168.1.1"])("%s is private: refused unless allowed", (address) => {
    expect(checkAddress(address, strict).ok).toBe(false);
    expect(checkAddress(address, lan).ok).toBe(true);
  });

  test.each(["93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8"])("%s is public", (address) => {
    expect(checkAddress(address, strict)).toEqual({ ok: true });
  });
});

describe("URLs", () => {
  test.each([
    ["http://169.254.169.254/", "metadata"],
    ["http://127.0.0.1:5432", "loopback"],
    ["http://[::1]/", "loopback"],
    ["http://0x7f000001/", "loopback"],
    ["http://[::ffff:127.0.0.1]/", "loopback"],
    ["http://2130706433/", "loopback"],
    ["http://0177.0.0.1/", "loopback"],
    ["http://[fd00:ec2::254]/latest", "metadata"],
    ["file:///etc/passwd", "file: URLs are not allowed"],
    ["gopher://127.0.0.1:6379/_INFO", "gopher: URLs are not allowed"],
    ["ftp://example.com/", "ftp: URLs are not allowed"],
    ["http://user:pw@example.com/", "credentials"],
    ["not a url", "not a valid URL"],
  ])("%s is refused before any DNS (%s)", (url, reason) => {
    const verdict = checkUrl(url, lan);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toContain(reason);
  });

  test("a hostname passes the first stage: its addresses are checked after resolving", () => {
    const verdict = checkUrl("https://hooks.slack.com/services/x", strict);
    expect(verdict.ok && verdict.target).toEqual({ host: "hooks.slack.com", port: 443, ip: null, allowlisted: false });
  });

  test("the allowlist admits exactly its host and port, by the name as written", () => {
    const policy: AddressPolicy = { allowPrivate: false, allowedHosts: ["127.0.0.1:9000", "[::1]:9001", "gotify.lan"] };
    expect(checkUrl("http://127.0.0.1:9000/hook", policy).ok).toBe(true);
    expect(checkUrl("http://0x7f000001:9000/hook", policy).ok).toBe(true); // the same address, spelt oddly
    expect(checkUrl("http://127.0.0.1:9001/hook", policy).ok).toBe(false);
    expect(checkUrl("http://[::1]:9001/", policy).ok).toBe(true);
    expect(checkUrl("http://localhost:9000/", policy).ok && (checkUrl("http://localhost:9000/", policy) as { target: { allowlisted: boolean } }).target.allowlisted).toBe(false);
    expect(isAllowlisted("GOTIFY.LAN", 443, policy.allowedHosts)).toBe(true);
  });

  test("SMTP hosts get the same checks", () => {
    expect(checkHost("127.0.0.1", 25, strict).ok).toBe(false);
    expect(checkHost("0x7f000001", 25, strict).ok).toBe(false);
    expect(checkHost("mail.example.com", 587, strict).ok).toBe(true);
    expect(checkHost("evil.com\r\nRCPT", 25, strict).ok).toBe(false);
    expect(checkHost("127.0.0.1", 2525, { allowPrivate: false, allowedHosts: ["127.0.0.1:2525"] }).ok).toBe(true);
  });

  test("line breaks in mail addresses and header values are caught", () => {
    expect(hasHeaderInjection("ops@example.com\r\nBcc: all@example.com")).toBe(true);
    expect(hasHeaderInjection("ops@example.com")).toBe(false);
  });
});
