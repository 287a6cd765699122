// Rendering is pure and deterministic: each case in tests/fixtures/nginx/cases.ts must render
// byte for byte to its golden file. After an intended change: UPDATE_GOLDEN=1 npx vitest run tests/unit/proxy-render.test.ts
// and review the diff. A missing golden file fails (it is never written by a plain run), and CI
// (CI=1, set by .ci/run) refuses the update switch, so a changed rendering cannot pass unseen.
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

const updating = Boolean(process.env.UPDATE_GOLDEN);

describe("nginx config rendering", () => {
  test("golden files are only rewritten on request, and never in CI", () => {
    if (updating && process.env.CI) throw new Error("UPDATE_GOLDEN is refused in CI: update golden files locally and commit them.");
    expect(updating && process.env.CI).toBeFalsy();
  });

  for (const [name, input] of Object.entries(CASES)) {
    test(`the "${name}" fixture renders exactly to its golden file`, () => {
      const text = flatten(renderTree(input));
      const golden = new URL(`${name}.golden.txt`, dir);
      if (updating && !process.env.CI) writeFileSync(golden, text);
      if (!existsSync(golden)) throw new Error(`No golden file for "${name}" (${golden.pathname}). Render it with UPDATE_GOLDEN=1, review it and commit it.`);
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

  test("refuses to let a rate limit, an access list, forced HTTPS or exploit blocking reach the ACME challenge location", () => {
    const files = renderTree(CASES["guarded-acme"]!);
    for (const path of ["hosts/guarded.conf", "hosts/guardedpending.conf"]) {
      const servers = serverBlocks(files[path]!);
      expect(servers.length).toBeGreaterThan(0);
      for (const server of servers) {
        const challenge = blockAfter(server, "location ^~ /.well-known/acme-challenge/ {");
        expect(challenge, path).toContain("auth_basic off;");
        expect(challenge, path).toContain("allow all;");
        expect(challenge, path).not.toMatch(/limit_req|return|deny|satisfy|auth_basic "|if \(/);
        // What a location inherits: the server's own directives, outside every nested block.
        const serverLevel = topLevel(server);
        expect(serverLevel, path).not.toMatch(/limit_req|ip_block_exploit|auth_basic|allow |deny |satisfy|return /);
      }
      // The guards are still there, in `location /` of the server that proxies.
      const proxied = servers.map((s) => blockAfter(s, "location / {")).find((l) => l.includes("proxy_pass"))!;
      expect(proxied, path).toMatch(/if \(\$ip_block_exploit\) \{\s+return 403;\s+\}/);
      expect(proxied, path).toContain("limit_req zone=rl_guarded");
      expect(proxied, path).toContain("deny all;");
      expect(proxied, path).toContain("auth_basic \"Restricted\";");
    }
  });

  test("a forced-HTTPS redirect keeps a non-standard HTTPS port and leaves 443 implicit", () => {
    const input = CASES["tls-force-https"]!;
    const conf = (httpsPort: number) => Object.entries(renderTree({ ...input, settings: { ...input.settings, httpsPort } })).find(([p, t]) => p.endsWith(".conf") && t.includes("return 301 https://"))![1];
    expect(conf(8443)).toContain("return 301 https://$host:8443$request_uri;");
    expect(conf(443)).toContain("return 301 https://$host$request_uri;");
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

/** The text inside the `{ … }` that follows `opening` (which ends with "{"). */
function blockAfter(text: string, opening: string): string {
  const start = text.indexOf(opening);
  if (start < 0) throw new Error(`no "${opening}" in:\n${text}`);
  let depth = 1;
  let i = start + opening.length;
  for (; i < text.length && depth > 0; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}") depth--;
  }
  return text.slice(start + opening.length, i - 1);
}

/** The bodies of every top-level `server {` block of a host file. */
function serverBlocks(text: string): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.includes("server {")) {
    const body = blockAfter(rest, "server {");
    out.push(body);
    rest = rest.slice(rest.indexOf(body) + body.length);
  }
  return out;
}

/** A block's own directives: its text with every nested `{ … }` removed. */
function topLevel(body: string): string {
  let depth = 0;
  let out = "";
  for (const c of body) {
    if (c === "{") depth++;
    if (depth === 0) out += c;
    if (c === "}") depth--;
  }
  return out;
}
