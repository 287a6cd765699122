// A real DNS server on loopback for monitor tests: pebble-challtestsrv (Debian package pebble)
// alone, answering `defaultIPv4` for every A query, with records set through its management API.
import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { createSocket } from "node:dgram";
import { freePort } from "./postgres";

const CHALLTESTSRV = "/usr/bin/pebble-challtestsrv";

export interface DnsServer {
  /** "127.0.0.1:<port>" (UDP and TCP). */
  address: string;
  port: number;
  post(path: "/add-a" | "/add-aaaa" | "/set-txt" | "/clear-a" | "/clear-txt", body: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** A UDP port that is free now (freePort checks TCP; challtestsrv listens on both). */
async function freeUdpPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    const free = await new Promise<boolean>((resolve) => {
      const s = createSocket("udp4");
      s.once("error", () => resolve(false));
      s.bind(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

export async function startDnsServer(defaultIPv4 = "127.0.0.1"): Promise<DnsServer> {
  const [port, mgmt] = [await freeUdpPort(), await freePort()];
  let output = "";
  const child = spawn(CHALLTESTSRV, ["-defaultIPv4", defaultIPv4, "-defaultIPv6", "", "-dns01", `127.0.0.1:${port}`, "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", `127.0.0.1:${mgmt}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  const post: DnsServer["post"] = (path, body) =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port: mgmt, path, method: "POST", headers: { "content-type": "application/json" }, agent: false }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`challtestsrv ${path} answered ${res.statusCode}`))));
      });
      req.on("error", reject);
      req.end(JSON.stringify(body));
    });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`challtestsrv exited with ${child.exitCode}:\n${output}`);
    try {
      await post("/clear-a", { host: "ready.test." });
      return { address: `127.0.0.1:${port}`, port, post, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`challtestsrv did not start:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
