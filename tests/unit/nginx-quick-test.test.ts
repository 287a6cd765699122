// The quick test's minimal config: the http level plus only what a single save can break.
import { describe, expect, test } from "vitest";
import { quickTestConf } from "#agent/nginx/local-nginx";

const files = {
  "nginx.conf": "http {\n    server { listen 1; }\n    include hosts/a.conf;\n    include hosts/b.conf;\n    include hosts/c.conf;\n}\n",
  "hosts/a.conf": "server { server_name a; }\n",
  "hosts/b.conf": "server { server_name b; ssl_certificate certs/x/fullchain.pem; }\n",
  "hosts/c.conf": "server { server_name c; }\n",
  "certs/x/fullchain.pem": "…",
};

describe("the quick test config", () => {
  test("keeps the http level and only the changed includes", () => {
    const conf = quickTestConf(files, ["hosts/c.conf"]);
    expect(conf).toContain("server { listen 1; }");
    expect(conf).toContain("include hosts/c.conf;");
    expect(conf).not.toContain("hosts/a.conf");
    expect(conf).not.toContain("hosts/b.conf");
  });

  test("keeps a host whose certificate (or htpasswd) changed", () => {
    const conf = quickTestConf(files, ["certs/x/fullchain.pem"]);
    expect(conf).toContain("include hosts/b.conf;");
    expect(conf).not.toContain("hosts/a.conf");
  });
});
