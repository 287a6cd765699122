import { describe, expect, test } from "vitest";
import { allowedOrigins, crossSiteReason, misdirectedReason, publicHostname } from "~/server/http/origin";
import { clientIp, isLocalRequest, trustedProxyList } from "~/server/http/client-ip";
import { generateSetupCode, normaliseSetupCode } from "~/server/auth/setup-code.server";
import { safeRedirectPath } from "~/server/http/safe-redirect";
import { redactSecrets } from "~/server/http/redact";

const ours = allowedOrigins("https://pilot.example.com", 3000);
const base = { method: "POST", origin: null, secFetchSite: null, allowedOrigins: ours, bearer: false, cookie: true };

describe("cross-site request guard", () => {
  test("a POST from our own origin passes", () => {
    expect(crossSiteReason({ ...base, origin: "https://pilot.example.com", secFetchSite: "same-origin" })).toBeNull();
    expect(crossSiteReason({ ...base, origin: "https://PILOT.example.com:443" })).toBeNull();
    expect(crossSiteReason({ ...base, secFetchSite: "same-origin" })).toBeNull();
  });
  test("a POST from another site is refused", () => {
    expect(crossSiteReason({ ...base, origin: "https://evil.example" })).toMatch(/another origin/);
    expect(crossSiteReason({ ...base, secFetchSite: "cross-site" })).toMatch(/cross-site/);
    expect(crossSiteReason({ ...base, secFetchSite: "same-site", origin: "https://a.example.com" })).toMatch(/same-site/);
    expect(crossSiteReason({ ...base, origin: "null" })).toMatch(/opaque/);
    expect(crossSiteReason({ ...base, origin: "not a url" })).toMatch(/malformed/);
  });
  test("reads and bearer-token calls are not checked", () => {
    expect(crossSiteReason({ ...base, method: "GET", origin: "https://evil.example" })).toBeNull();
    expect(crossSiteReason({ ...base, bearer: true, origin: "https://evil.example" })).toBeNull();
    expect(crossSiteReason({ ...base, bearer: true })).toBeNull();
  });
  test("refuses a cookie-carrying POST that has neither Origin nor Sec-Fetch-Site", () => {
    expect(crossSiteReason({ ...base })).toMatch(/needs an Origin or Sec-Fetch-Site/);
    expect(crossSiteReason({ ...base, method: "delete" })).toMatch(/needs an Origin/);
  });
  test("a POST without cookies and without Origin acts for nobody and passes", () => {
    expect(crossSiteReason({ ...base, cookie: false })).toBeNull();
    expect(crossSiteReason({ ...base, cookie: false, origin: "https://evil.example" })).toMatch(/another origin/);
  });
  test("refuses an Origin that merely matches the request's own Host (DNS rebinding)", () => {
    expect(crossSiteReason({ ...base, origin: "http://192.168.1.5:3000" })).toMatch(/another origin/);
    expect(crossSiteReason({ ...base, origin: "http://rebound.evil.example:3000" })).toMatch(/another origin/);
  });
  test("loopback origins count as ours on our own port only", () => {
    for (const origin of ["http://localhost:3000", "https://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000", "https://[::1]:3000"]) {
      expect(crossSiteReason({ ...base, origin }), origin).toBeNull();
    }
    for (const origin of ["http://localhost:8080", "http://127.0.0.1", "http://127.0.0.2:3000", "http://localhost.evil.example:3000"]) {
      expect(crossSiteReason({ ...base, origin }), origin).toMatch(/another origin/);
    }
  });
});

describe("Host allowlist", () => {
  const ourName = publicHostname("https://Pilot.Example.com/");
  test.each(["pilot.example.com", "PILOT.example.com:443", "pilot.example.com.", "pilot.example.com:8443", "localhost", "localhost:3000", "127.0.0.1:3000", "[::1]:3000", "[::1]"])("%s is ours", (host) => {
    expect(misdirectedReason(host, ourName)).toBeNull();
  });
  test.each([
    ["rebound.evil.example", /not this InfraPilot's/],
    ["rebound.evil.example:3000", /not this InfraPilot's/],
    ["192.168.1.5:3000", /not this InfraPilot's/],
    ["127.0.0.2:3000", /not this InfraPilot's/],
    ["pilot.example.com.evil.example", /not this InfraPilot's/],
    ["evil@pilot.example.com", /malformed/],
    ["pilot.example.com/x", /malformed/],
    ["pilot.example.com:abc", /malformed/],
    ["", /no Host/],
  ])("refuses the Host %j with 421", (host, message) => {
    expect(misdirectedReason(host, ourName)).toMatch(message);
  });
  test("a missing Host header is refused", () => {
    expect(misdirectedReason(undefined, ourName)).toMatch(/no Host/);
  });
});

describe("client address", () => {
  const trusted = trustedProxyList(["10.0.0.1", "172.16.0.0/12"]);
  test("X-Forwarded-For from an untrusted peer is ignored", () => {
    expect(clientIp("203.0.113.9", "1.2.3.4", trusted)).toBe("203.0.113.9");
  });
  test("X-Forwarded-For from a trusted proxy names the client", () => {
    expect(clientIp("10.0.0.1", "198.51.100.7", trusted)).toBe("198.51.100.7");
    expect(clientIp("::ffff:10.0.0.1", "9.9.9.9, 198.51.100.7, 172.20.0.3", trusted)).toBe("198.51.100.7");
  });
  test("only this machine itself is a local client", () => {
    const none = trustedProxyList([]);
    expect(isLocalRequest("127.0.0.1", undefined, none)).toBe(true);
    expect(isLocalRequest("::1", undefined, none)).toBe(true);
    expect(isLocalRequest("::ffff:127.0.0.1", undefined, none)).toBe(true);
    expect(isLocalRequest("203.0.113.9", undefined, none)).toBe(false);
    expect(isLocalRequest("203.0.113.9", "127.0.0.1", none)).toBe(false);
  });
  test("a client behind a proxy is local only when a trusted proxy says so", () => {
    const local = trustedProxyList(["127.0.0.1"]);
    expect(isLocalRequest("127.0.0.1", "203.0.113.9", local)).toBe(false);
    expect(isLocalRequest("127.0.0.1", "127.0.0.1", local)).toBe(true);
    // An untrusted local reverse proxy forwards strangers: they are not local.
    expect(isLocalRequest("127.0.0.1", "203.0.113.9", trustedProxyList([]))).toBe(false);
  });
  test("an invalid TRUSTED_PROXIES entry is refused", () => {
    expect(() => trustedProxyList(["not-an-ip"])).toThrow(/not an IP/);
  });
});

describe("redirect targets", () => {
  test.each([
    ["/containers?all=true"],
    ["/logs?q=%E2%9C%93#top"],
    ["/logs?q=50%25"],
    ["/containers/local/abc"],
  ])("the local path %s is followed", (to) => {
    expect(safeRedirectPath(to)).toBe(to);
  });

  test.each([
    ["//evil.example/x"],
    ["///evil.example"],
    ["/\\evil.example"],
    ["\\\\evil.example"],
    ["/%09/evil.example"],
    ["/%0a/evil.example"],
    ["/%0D%0A/evil.example"],
    ["/\t/evil.example"],
    ["/\n/evil.example"],
    [" //evil.example"],
    ["/ /evil.example"],
    ["/%2F%2Fevil.example"],
    ["/%2f%2fevil.example"],
    ["/%2F/evil.example"],
    ["/%5Cevil.example"],
    ["/%5cevil.example"],
    ["/%252F%252Fevil.example"],
    ["/%25252F%25252Fevil.example"],
    ["%2F%2Fevil.example"],
    ["https://evil.example"],
    ["HTTPS://evil.example"],
    ["http:evil.example"],
    ["//evil.example@dashboard"],
    ["javascript:alert(1)"],
    ["JaVaScRiPt:alert(1)"],
    [" javascript:alert(1)"],
    ["data:text/html,<script>alert(1)</script>"],
    ["evil.example"],
    ["/%E0%A4%A"],
    [""],
  ])("the attack %j lands on a local page", (to) => {
    expect(safeRedirectPath(to)).toBe("/dashboard");
  });

  test("anything that is not a short string gets the fallback the caller chose", () => {
    expect(safeRedirectPath(null)).toBe("/dashboard");
    expect(safeRedirectPath(undefined, "/containers")).toBe("/containers");
    expect(safeRedirectPath(new File([], "x"), "/")).toBe("/");
    expect(safeRedirectPath("/" + "a".repeat(2001))).toBe("/dashboard");
  });
});

describe("log redaction", () => {
  const token = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr";
  test.each([
    [`/invite/${token}`, "/invite/[redacted]"],
    [`http://pilot.example.com/invite/${token}?x=1`, "http://pilot.example.com/invite/[redacted]?x=1"],
    [`/INVITE/${token}/`, "/INVITE/[redacted]/"],
    [`/reset?token=${token}&next=/x`, "/reset?token=[redacted]&next=/x"],
    [`/login?code=123456`, "/login?code=[redacted]"],
    [`/x?a=1&resetToken=${token}#frag`, "/x?a=1&resetToken=[redacted]#frag"],
    [`/setup?setupCode=ABCD-EFGH`, "/setup?setupCode=[redacted]"],
    [`Authorization: Bearer ipt_${token}`, "Authorization: Bearer [redacted]"],
    [JSON.stringify({ url: `/invite/${token}`, msg: "refused" }), JSON.stringify({ url: "/invite/[redacted]", msg: "refused" })],
  ])("%s is logged as %s", (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  test("a long line without secrets passes unchanged", () => {
    const line = "a-".repeat(50_000) + "b=c " + "x".repeat(100_000);
    expect(redactSecrets(line)).toBe(line);
  });

  test("ordinary URLs and JSON fields named code pass unchanged", () => {
    const line = JSON.stringify({ url: "/containers?all=true&q=invite", error: { code: "not_found" } });
    expect(redactSecrets(line)).toBe(line);
  });
});

describe("setup code", () => {
  test("is three groups of four characters that cannot be misread", () => {
    const code = generateSetupCode();
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    expect(generateSetupCode((n) => n - 1)).toBe("9999-9999-9999");
    expect(new Set(Array.from({ length: 50 }, () => generateSetupCode())).size).toBe(50);
  });
  test("is compared without regard to case, spaces and dashes", () => {
    expect(normaliseSetupCode(" abcd-efgh jkmn ")).toBe("ABCDEFGHJKMN");
  });
});
