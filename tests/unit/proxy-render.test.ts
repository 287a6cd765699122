// Rendering is pure and deterministic: each case in tests/fixtures/nginx/cases.ts must render
// byte for byte to its golden file. After an intended change: UPDATE_GOLDEN=1 npx vitest run tests/unit/proxy-render.test.ts
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { renderTree, RenderError } from "~/server/proxy/render";
import { CASES, proxyHost, SETTINGS } from "../fixtures/nginx/cases";

const dir = new URL("../fixtures/nginx/", import.meta.url);

/** One readable text per case: every file under a `# ==> path <==` line, sorted by path. */
function flatten(files: Record<string, string>): string {
  return Object.keys(files)
    .sort()
    .map((p) => `# ==> ${p} <==\n${p.endsWith(".pem") ? "(pem, " + files[p]!.length + " bytes)\n" : files[p]}`)
    .join("\n");
}

describe("nginx config rendering", () => {
  for (const [name, input] of Object.entries(CASES)) {
    test(`the "${name}" fixture renders exactly to its golden file`, () => {
      const text = flatten(renderTree(input));
      const golden = new URL(`${name}.golden.txt`, dir);
      if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, text);
      expect(text).toBe(readFileSync(golden, "utf8"));
    });
  }

  test("the same input renders to the same bytes whatever the order of hosts", () => {
    const input = CASES["tls-force-https"]!;
    const reversed = { ...input, hosts: [...input.hosts].reverse() };
    expect(renderTree(reversed)).toEqual(renderTree(input));
  });

  test("every server block answers ACME HTTP-01 challenges from the webroot", () => {
    for (const input of Object.values(CASES)) {
      for (const [path, text] of Object.entries(renderTree(input))) {
        if (!path.endsWith(".conf")) continue;
        const challenges = (text.match(/location \^~ \/\.well-known\/acme-challenge\//g) ?? []).length;
        const blocks = (text.match(/^\s*server \{/gm) ?? []).length;
        const rejecting = (text.match(/ssl_reject_handshake on;/g) ?? []).length;
        expect(challenges).toBe(blocks - rejecting);
      }
    }
  });

  test("a hostname upstream is resolved per request, an address is proxied directly", () => {
    const files = renderTree(CASES["hostname-upstream"]!);
    expect(files["hosts/svc.conf"]).toContain("set $ip_upstream https://backend.internal:8443;");
    expect(files["hosts/svc.conf"]).toContain("proxy_pass $ip_upstream;");
    expect(files["nginx.conf"]).toContain("resolver 127.0.0.1 valid=10s ipv6=off;");
    expect(renderTree(CASES["basic-proxy"]!)["hosts/app.conf"]).toContain("proxy_pass http://127.0.0.1:9001;");
  });

  test("values that slipped past validation make rendering fail instead of reaching nginx", () => {
    const attacks = [
      proxyHost("a", { upstream: { scheme: "http", host: 'app"; return 200 "pwned"; #', port: 80 } }),
      proxyHost("b", { domains: ["x' ; touch /tmp/p ; #"] }),
      proxyHost("c", { headers: { csp: null, frameOptions: null, referrerPolicy: null, permissionsPolicy: "a=()\nproxy_pass http://x;", contentTypeOptions: false } }),
      proxyHost("d", { headers: { csp: "default-src $host", frameOptions: null, referrerPolicy: null, permissionsPolicy: null, contentTypeOptions: false } }),
      proxyHost("e", { domains: ["a.test;"] }),
    ];
    for (const host of attacks) {
      expect(() => renderTree({ settings: SETTINGS, hosts: [host], accessLists: [], certificates: [] })).toThrow(RenderError);
    }
  });

  test("quotes inside a header value are escaped, not ending the string", () => {
    const files = renderTree(CASES["all-options"]!);
    expect(files["hosts/full.conf"]).toContain('add_header Permissions-Policy "camera=(), geolocation=(self \\"https://a.test\\")" always;');
  });
});
