import { describe, expect, test } from "vitest";
import { crossSiteReason } from "~/server/http/origin";
import { clientIp, trustedProxyList } from "~/server/http/client-ip";
import { safeRedirectPath } from "~/server/http/safe-redirect";
import { redactSecrets } from "~/server/http/redact";

const base = { method: "POST", origin: null, secFetchSite: null, host: "pilot.example.com", publicOrigin: "https://pilot.example.com", bearer: false };

describe("cross-site request guard", () => {
  test("a POST from our own origin passes", () => {
    expect(crossSiteReason({ ...base, origin: "https://pilot.example.com", secFetchSite: "same-origin" })).toBeNull();
  });
  test("a POST from another site is refused", () => {
    expect(crossSiteReason({ ...base, origin: "https://evil.example" })).toMatch(/another origin/);
    expect(crossSiteReason({ ...base, secFetchSite: "cross-site" })).toMatch(/cross-site/);
    expect(crossSiteReason({ ...base, secFetchSite: "same-site", origin: "https://a.example.com" })).toMatch(/same-site/);
    expect(crossSiteReason({ ...base, origin: "null" })).toMatch(/opaque/);
  });
  test("reads and bearer-token calls are not checked", () => {
    expect(crossSiteReason({ ...base, method: "GET", origin: "https://evil.example" })).toBeNull();
    expect(crossSiteReason({ ...base, bearer: true, origin: "https://evil.example" })).toBeNull();
  });
  test("the address the browser used counts as our origin", () => {
    expect(crossSiteReason({ ...base, origin: "http://192.168.1.5:3000", host: "192.168.1.5:3000" })).toBeNull();
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

  test("ordinary URLs and JSON fields named code pass unchanged", () => {
    const line = JSON.stringify({ url: "/containers?all=true&q=invite", error: { code: "not_found" } });
    expect(redactSecrets(line)).toBe(line);
  });
});
