// A throwaway PKI made with openssl for certificate tests: root → intermediate → leaf (EC P-256).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestChain {
  root: string;
  intermediate: string;
  leaf: string;
  leafKey: string;
  otherKey: string;
}

export function makeChain(names: string[], days = 30): TestChain {
  const dir = mkdtempSync(join(tmpdir(), "infrapilot-pki-"));
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  writeFileSync(f("ca.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
  writeFileSync(f("leaf.ext"), `basicConstraints=CA:FALSE\nsubjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\n`);
  ssl("req", "-x509", ...newKey, "-keyout", f("root.key"), "-out", f("root.pem"), "-days", String(days), "-subj", "/CN=InfraPilot Test Root", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  ssl("req", "-new", ...newKey, "-keyout", f("int.key"), "-out", f("int.csr"), "-subj", "/CN=InfraPilot Test Intermediate");
  ssl("x509", "-req", "-in", f("int.csr"), "-CA", f("root.pem"), "-CAkey", f("root.key"), "-CAcreateserial", "-out", f("int.pem"), "-days", String(days), "-extfile", f("ca.ext"));
  ssl("req", "-new", ...newKey, "-keyout", f("leaf.key"), "-out", f("leaf.csr"), "-subj", `/CN=${names[0]}`);
  ssl("x509", "-req", "-in", f("leaf.csr"), "-CA", f("int.pem"), "-CAkey", f("int.key"), "-CAcreateserial", "-out", f("leaf.pem"), "-days", String(days), "-extfile", f("leaf.ext"));
  ssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f("other.key"));
  const r = (n: string) => readFileSync(f(n), "utf8");
  return { root: r("root.pem"), intermediate: r("int.pem"), leaf: r("leaf.pem"), leafKey: r("leaf.key"), otherKey: r("other.key") };
}

/** A CA and a server certificate for 127.0.0.1 and localhost (loopback TLS servers in tests). */
export function makeLoopbackCert(): { caPem: string; caFile: string; certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), "infrapilot-loopback-pki-"));
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  writeFileSync(f("leaf.ext"), "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  ssl("req", "-x509", ...newKey, "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=InfraPilot loopback test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  ssl("req", "-new", ...newKey, "-keyout", f("leaf.key"), "-out", f("leaf.csr"), "-subj", "/CN=127.0.0.1");
  ssl("x509", "-req", "-in", f("leaf.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("leaf.pem"), "-days", "2", "-extfile", f("leaf.ext"));
  const r = (n: string) => readFileSync(f(n), "utf8");
  return { caPem: r("ca.pem"), caFile: f("ca.pem"), certPem: r("leaf.pem"), keyPem: r("leaf.key") };
}
