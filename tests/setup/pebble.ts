// Let's Encrypt's own test CA (pebble) and its DNS helper (pebble-challtestsrv) on free loopback
// ports, for ACME tests. pebble's directory is served over HTTPS with a self-signed certificate
// for 127.0.0.1 made here (pass `tlsCaFile` as NODE_EXTRA_CA_CERTS to whoever talks to it);
// challtestsrv answers 127.0.0.1 for every name, so pebble's HTTP-01 validation of any domain
// connects to `httpPort` on loopback (our nginx). Certificates pebble issues chain to a root that
// changes every run: `issuingRoot()` fetches it from the management endpoint.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./postgres";

export interface Pebble {
  directoryUrl: string;
  /** PEM of the self-signed certificate pebble serves its API with (for NODE_EXTRA_CA_CERTS). */
  tlsCaFile: string;
  tlsCa: string;
  /** The root of the certificates pebble issues (fetched from the management endpoint). */
  issuingRoot(): Promise<string>;
  /** Makes challtestsrv answer `address` for `host` (e.g. 127.0.0.2, where nothing listens). */
  setAddress(host: string, address: string): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

const PEBBLE = "/usr/bin/pebble";
const CHALLTESTSRV = "/usr/bin/pebble-challtestsrv";

export function pebbleInstalled(): boolean {
  return existsSync(PEBBLE) && existsSync(CHALLTESTSRV);
}

export async function startPebble(options: { httpPort: number; tlsPort?: number }): Promise<Pebble> {
  if (!pebbleInstalled()) throw new Error("pebble is not installed: run `apt-get install -y pebble` (it provides pebble and pebble-challtestsrv).");
  const dir = mkdtempSync(join(tmpdir(), "infrapilot-pebble-"));
  const [acmePort, mgmtPort, dnsPort, dnsMgmtPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
  ], { stdio: "ignore" });
  const config = join(dir, "pebble.json");
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: cert,
        privateKey: key,
        httpPort: options.httpPort,
        tlsPort: options.tlsPort ?? (await freePort()),
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  let output = "";
  const children: ChildProcess[] = [];
  const spawnLogged = (bin: string, args: string[], env: Record<string, string> = {}) => {
    const child = spawn(bin, args, { env: { PATH: process.env.PATH, ...env } as unknown as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    children.push(child);
    return child;
  };
  spawnLogged(CHALLTESTSRV, [
    "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
    "-dns01", `127.0.0.1:${dnsPort}`, "-http01", "", "-https01", "", "-tlsalpn01", "",
    "-management", `127.0.0.1:${dnsMgmtPort}`,
  ]);
  spawnLogged(PEBBLE, ["-config", config, "-dnsserver", `127.0.0.1:${dnsPort}`], {
    PEBBLE_VA_NOSLEEP: "1",
    // Deterministic tests: no random nonce rejections, fresh authorizations for every order.
    PEBBLE_WFE_NONCEREJECT: "0",
    PEBBLE_AUTHZREUSE: "0",
  });
  const tlsCa = readFileSync(cert, "utf8");
  const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;

  const httpsGet = (url: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(url, { ca: tlsCa, agent: false }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      });
      req.on("error", reject);
      req.end();
    });

  const pebble: Pebble = {
    directoryUrl,
    tlsCaFile: cert,
    tlsCa,
    async issuingRoot() {
      const res = await httpsGet(`https://127.0.0.1:${mgmtPort}/roots/0`);
      if (res.status !== 200) throw new Error(`pebble management answered ${res.status}`);
      return res.body;
    },
    setAddress(host, address) {
      return new Promise((resolve, reject) => {
        const body = JSON.stringify({ host: host.endsWith(".") ? host : `${host}.`, addresses: [address] });
        const req = httpRequest({ host: "127.0.0.1", port: dnsMgmtPort, path: "/add-a", method: "POST", headers: { "content-type": "application/json" }, agent: false }, (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`challtestsrv answered ${res.statusCode}`))));
        });
        req.on("error", reject);
        req.end(body);
      });
    },
    output: () => output,
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once("exit", () => resolve());
              c.kill("SIGTERM");
            }),
        ),
      );
    },
  };

  const deadline = Date.now() + 20_000;
  for (;;) {
    const exited = children.find((c) => c.exitCode !== null);
    if (exited) throw new Error(`pebble or challtestsrv exited with ${exited.exitCode}:\n${output}`);
    try {
      if ((await httpsGet(directoryUrl)).status === 200) return pebble;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await pebble.stop();
      throw new Error(`pebble did not answer within 20 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
