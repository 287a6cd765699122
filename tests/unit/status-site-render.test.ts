import { describe, expect, test } from "vitest";
import { RenderError, renderTree, type RenderSettings } from "~/server/proxy/render";

const settings: RenderSettings = { listenAddress: "127.0.0.1", httpPort: 8080, httpsPort: 8443, resolver: "127.0.0.11", user: null, defaultSite: { mode: "404" } };
const site = { pageId: "0b6f1a52-8d54-4d2a-9d0e-1c1f3f5b2a10", domain: "status.example.com", slug: "acme", certificateId: null as string | null, upstream: { host: "127.0.0.1", port: 3000 } };
const cert = { id: "c1b2c3d4-0000-4000-8000-000000000001", certificatePem: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----", keyPem: "-----BEGIN PRIVATE KEY-----\ny\n-----END PRIVATE KEY-----" };

describe("status pages on custom domains in the nginx tree", () => {
  test("an HTTP-only block routing the name to exactly one page, included by nginx.conf", () => {
    const files = renderTree({ settings, hosts: [], accessLists: [], certificates: [], statusSites: [site] });
    const conf = files[`status-sites/${site.pageId}.conf`]!;
    expect(files["nginx.conf"]).toContain(`include status-sites/${site.pageId}.conf;`);
    expect(conf).toContain("server_name status.example.com;");
    expect(conf).not.toContain("ssl");
    expect(conf).toContain("proxy_set_header Host 127.0.0.1:3000;");
    expect(conf).toContain("return 302 /status/acme;");
    for (const loc of ["location = /status/acme {", "location = /status/acme.data {", "location = /status/acme/logo {", "location ^~ /assets/ {", "location ^~ /.well-known/acme-challenge/ {"]) expect(conf).toContain(loc);
    // Everything else is nginx's own 404.
    expect(conf).toMatch(/location \/ \{\s+return 404;\s+\}/);
    expect(conf.match(/proxy_pass /g)).toHaveLength(4);
  });

  test("HTTPS once the certificate is issued (its files written), HTTP only while it is not", () => {
    const withCert = renderTree({ settings, hosts: [], accessLists: [], certificates: [cert], statusSites: [{ ...site, certificateId: cert.id }] });
    expect(withCert[`status-sites/${site.pageId}.conf`]).toContain("listen 127.0.0.1:8443 ssl;");
    expect(withCert[`certs/${cert.id}/fullchain.pem`]).toContain("BEGIN CERTIFICATE");
    expect(withCert["nginx.conf"]).toContain("ssl_reject_handshake on;");
    const pending = renderTree({ settings, hosts: [], accessLists: [], certificates: [], statusSites: [{ ...site, certificateId: cert.id }] });
    expect(pending[`status-sites/${site.pageId}.conf`]).not.toContain("ssl");
  });

  test("refuses anything that is not a plain name, slug or address instead of rendering it", () => {
    for (const bad of [{ domain: "a.com; include /etc/passwd" }, { domain: "*.example.com" }, { slug: "a b" }, { slug: "x;" }, { upstream: { host: "1.2.3.4 backup", port: 3000 } }]) {
      expect(() => renderTree({ settings, hosts: [], accessLists: [], certificates: [], statusSites: [{ ...site, ...bad }] }), JSON.stringify(bad)).toThrow(RenderError);
    }
  });
});
