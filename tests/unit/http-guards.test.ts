import { describe, expect, test } from "vitest";
import { crossSiteReason } from "~/server/http/origin";
import { clientIp, trustedProxyList } from "~/server/http/client-ip";
import { safeRedirectPath } from "~/server/http/page.server";

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
  test("only local paths are followed", () => {
    expect(safeRedirectPath("/containers?all=true")).toBe("/containers?all=true");
    expect(safeRedirectPath("//evil.example/x")).toBe("/dashboard");
    expect(safeRedirectPath("https://evil.example")).toBe("/dashboard");
    expect(safeRedirectPath("/\\evil.example")).toBe("/dashboard");
    expect(safeRedirectPath(null)).toBe("/dashboard");
  });
});
