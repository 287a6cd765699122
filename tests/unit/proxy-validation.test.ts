// Allowlist validation of every proxy field that reaches nginx: the attacks from issue 4 must be
// refused with a field error before anything is written or rendered.
import { describe, expect, test } from "vitest";
import { AccessListSchema, AcmeTokenSchema, controlCharacterFields, HostInputSchema, normalizeDomain } from "~/validation/proxy";
import { ACME_TOKEN_PATTERN } from "#agent/nginx/acme-token";

const base = { kind: "proxy", domains: ["app.test"], upstream: { scheme: "http", host: "127.0.0.1", port: 8080 } };

function fieldsOf(body: unknown): string[] {
  const control = Object.keys(controlCharacterFields(body));
  const r = HostInputSchema.safeParse(body);
  return [...control, ...(r.success ? [] : r.error.issues.map((i) => i.path.join(".")))];
}

describe("proxy host validation", () => {
  test("a plain host is accepted with defaults filled in", () => {
    const r = HostInputSchema.parse(base);
    expect(r).toMatchObject({ kind: "proxy", domains: ["app.test"], enabled: true, websockets: false, blockExploits: true, rateLimit: null, advanced: "" });
  });

  test("an upstream host that tries to close the directive is refused", () => {
    expect(fieldsOf({ ...base, upstream: { scheme: "http", host: 'app"; return 200 "pwned"; #', port: 80 } })).toContain("upstream.host");
  });

  test("a header value that tries to add a proxy_pass is refused", () => {
    expect(fieldsOf({ ...base, headers: { csp: "x; proxy_pass http://169.254.169.254; #" } })).toContain("headers.csp");
    expect(fieldsOf({ ...base, headers: { permissionsPolicy: "x; proxy_pass http://169.254.169.254; #" } })).toContain("headers.permissionsPolicy");
    expect(fieldsOf({ ...base, headers: { csp: "default-src 'self' $host" } })).toContain("headers.csp");
  });

  test("a domain with a shell payload is refused", () => {
    expect(fieldsOf({ ...base, domains: ["x' ; touch /tmp/p ; #"] })).toContain("domains.0");
  });

  test("CR or LF in any field is refused", () => {
    for (const body of [
      { ...base, domains: ["app.test\r\n"] },
      { ...base, upstream: { scheme: "http", host: "app\nx", port: 80 } },
      { ...base, headers: { csp: "default-src 'self'\r\nX-Evil: 1" } },
      { kind: "redirect", domains: ["a.test"], redirect: { to: "https://b.test/\n", code: 301 } },
      { ...base, accessListId: "\n" },
    ]) {
      expect(fieldsOf(body).length).toBeGreaterThan(0);
    }
    expect(Object.keys(controlCharacterFields({ ...base, domains: ["a\r.test"] }))).toEqual(["domains.0"]);
  });

  test("advanced directives may span lines but must balance their braces", () => {
    expect(HostInputSchema.safeParse({ ...base, advanced: "location /x {\n  return 204;\n}" }).success).toBe(true);
    expect(fieldsOf({ ...base, advanced: "}\nserver {" })).toContain("advanced");
  });

  test("domains: IDN becomes punycode, a wildcard only as the leftmost label", () => {
    expect(normalizeDomain("Bücher.Example")).toEqual({ ok: true, value: "xn--bcher-kva.example" });
    expect(normalizeDomain("*.example.com")).toEqual({ ok: true, value: "*.example.com" });
    expect(normalizeDomain("a.*.example.com").ok).toBe(false);
    expect(normalizeDomain("*example.com").ok).toBe(false);
    expect(normalizeDomain("*").ok).toBe(false);
    expect(normalizeDomain("-bad.example").ok).toBe(false);
    expect(normalizeDomain("a".repeat(64) + ".example").ok).toBe(false);
    expect(fieldsOf({ ...base, domains: ["a.test", "A.test"] })).toContain("domains");
  });

  test("ports, sizes and rates stay in range", () => {
    expect(fieldsOf({ ...base, upstream: { scheme: "http", host: "a", port: 70000 } })).toContain("upstream.port");
    expect(fieldsOf({ ...base, rateLimit: { requestsPerSecond: 0, burst: 1 } })).toContain("rateLimit.requestsPerSecond");
    expect(fieldsOf({ ...base, clientMaxBodySizeMb: -1 })).toContain("clientMaxBodySizeMb");
    expect(fieldsOf({ ...base, upstream: { scheme: "gopher", host: "a", port: 1 } }).length).toBeGreaterThan(0);
  });

  test("redirect targets are plain http(s) URLs", () => {
    expect(HostInputSchema.safeParse({ kind: "redirect", domains: ["a.test"], redirect: { to: "https://b.test/path?x=1", code: 308 } }).success).toBe(true);
    expect(fieldsOf({ kind: "redirect", domains: ["a.test"], redirect: { to: "https://b.test/$host", code: 301 } })).toContain("redirect.to");
    expect(fieldsOf({ kind: "redirect", domains: ["a.test"], redirect: { to: "javascript:alert(1)", code: 301 } })).toContain("redirect.to");
    expect(fieldsOf({ kind: "redirect", domains: ["a.test"], redirect: { to: "https://b.test", code: 200 } })).toContain("redirect.code");
  });
});

describe("access lists and ACME tokens", () => {
  test("user names and addresses are allowlisted", () => {
    expect(AccessListSchema.safeParse({ name: "x", users: [{ username: "bob:x", password: "long enough" }] }).success).toBe(false);
    expect(AccessListSchema.safeParse({ name: "x", rules: [{ action: "allow", address: "10.0.0.0/33" }] }).success).toBe(false);
    expect(AccessListSchema.safeParse({ name: "x", rules: [{ action: "deny", address: "all" }, { action: "allow", address: "::1/128" }] }).success).toBe(true);
  });

  test("an ACME token that walks out of the webroot is refused", () => {
    expect(AcmeTokenSchema.safeParse("../../etc/nginx/conf.d/x.conf").success).toBe(false);
    expect(ACME_TOKEN_PATTERN.test("../../etc/nginx/conf.d/x.conf")).toBe(false);
    expect(AcmeTokenSchema.safeParse("LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0").success).toBe(true);
  });
});

describe("domains typed in a form", () => {
  test("commas and line breaks separate names, a space does not: \"exa mple.com\" stays one (invalid) name", async () => {
    const { domainsFromForm, normalizeDomain } = await import("~/validation/proxy");
    const form = new FormData();
    form.append("domains", "exa mple.com, b.test\nc.test");
    form.append("domains", "d.test");
    expect(domainsFromForm(form)).toEqual(["exa mple.com", "b.test", "c.test", "d.test"]);
    expect(normalizeDomain("exa mple.com")).toEqual({ ok: false, error: '"exa mple.com" is not a domain name.' });
  });

  test("a one-label name is refused unless allowSingleLabel is set, for hosts and certificates alike", async () => {
    const { HostInputSchema } = await import("~/validation/proxy");
    const { CertificateRequestSchema } = await import("~/validation/certificates");
    const host = { kind: "proxy", domains: ["nas", "nas.example.com"], upstream: { scheme: "http", host: "127.0.0.1", port: 80 } };
    const refused = HostInputSchema.safeParse(host);
    expect(refused.success).toBe(false);
    expect(refused.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([["domains.0", expect.stringContaining('"nas" has a single label')]]);
    expect(HostInputSchema.safeParse({ ...host, allowSingleLabel: true }).success).toBe(true);
    expect(HostInputSchema.safeParse({ ...host, domains: ["*.example.com"] }).success).toBe(true);
    expect(CertificateRequestSchema.safeParse({ domains: ["localhost"], mode: "acme" }).success).toBe(false);
    expect(CertificateRequestSchema.safeParse({ domains: ["localhost"], mode: "acme", allowSingleLabel: true }).success).toBe(true);
  });
});
