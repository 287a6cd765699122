// Per-host log rotation by the agent against a real nginx on loopback: the access log of a host
// under a steady stream of requests is rotated by size many times (rename, keep N, SIGUSR1 so
// nginx reopens) while the tailer follows it; every request's line must arrive exactly once.
// Then the host is deleted from the tree and its logs are removed.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalNginx } from "#agent/nginx/local-nginx";
import { ProxyLogTailer, type ProxyLogRecord } from "#agent/nginx/log-tail";
import { renderTree } from "~/server/proxy/render";
import { proxyHost, SETTINGS } from "../fixtures/nginx/cases";
import { freePort } from "../setup/postgres";

const confDir = mkdtempSync(join(tmpdir(), "infrapilot-nginx-rotate-"));
const hostsDir = join(confDir, "logs", "hosts");
let nginx: InstanceType<typeof LocalNginx>;
let upstream: Server;
let upstreamPort: number;
let httpPort: number;

function tree(hostIds: string[]) {
  // As renderSettings(): workers run as root when we do, so they can reopen logs in a private directory.
  const settings = { ...SETTINGS, httpPort, httpsPort: httpPort + 1, user: process.getuid?.() === 0 ? "root" : null };
  return renderTree({ settings, hosts: hostIds.map((id) => proxyHost(id, { upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort } })), accessLists: [], certificates: [] });
}

function get(host: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: httpPort, path, headers: { Host: host }, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  upstreamPort = await freePort();
  upstream = createServer((_req, res) => res.end("ok"));
  await new Promise<void>((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
  httpPort = await freePort();
  // Small files and a short guard so a few seconds of traffic rotate several times; the guard
  // stays far above the tailer's poll interval, as the defaults do (60 s vs 0.5 s).
  nginx = new LocalNginx({ bin: "/usr/sbin/nginx", confDir, logRotation: { maxBytes: 8 * 1024, keep: 2, daily: false, minIntervalMs: 400, checkMs: 3_600_000 } });
  const applied = await nginx.apply({ files: tree(["rot", "other"]) });
  expect(applied.output).toBe("");
});

afterAll(async () => {
  await nginx?.stop();
  upstream?.close();
});

describe("per-host log rotation", () => {
  test("rotating under load loses and duplicates no line; old generations beyond keep are deleted", async () => {
    const got: ProxyLogRecord[] = [];
    const tailer = new ProxyLogTailer({ dir: hostsDir, pollMs: 25, retireMs: 1000, include: (id) => id === "rot", onBatch: async (records) => void got.push(...records) }).start();
    // At least 1,200 requests, and more until three rotations happened (a loaded machine serves
    // fewer requests per rotation guard interval).
    const atLeast = 1200;
    const atMost = 20_000;
    let sent = 0;
    let rotations = 0;
    let loading = true;
    const rotator = (async () => {
      while (loading) {
        await new Promise((r) => setTimeout(r, 50));
        if ((await nginx.rotateLogs()).includes("rot.access.log")) rotations++;
      }
    })();
    // 8 clients in parallel, each request with its own path.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while ((sent < atLeast || rotations < 3) && sent < atMost) {
          const i = sent++;
          expect(await get("rot.test", `/r/${i}`)).toBe(200);
        }
      }),
    );
    loading = false;
    await rotator;
    // The rotator's last round may have moved the current file after the last request; access
    // logs are opened per write, so one more request must bring the current file back.
    expect(await get("rot.test", `/r/${sent++}`)).toBe(200);
    const total = sent;
    const deadline = Date.now() + 20_000;
    while (got.filter((r) => r.kind === "access").length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1200)); // anything late would show up as a duplicate
    await tailer.stop();

    const uris = got.filter((r) => r.kind === "access").map((r) => JSON.parse(r.line).uri as string);
    const counts = new Map<string, number>();
    for (const u of uris) counts.set(u, (counts.get(u) ?? 0) + 1);
    const missing = Array.from({ length: total }, (_, i) => `/r/${i}`).filter((u) => !counts.has(u));
    const twice = [...counts].filter(([, n]) => n > 1).map(([u]) => u);
    expect({ missing, twice, lines: uris.length }).toEqual({ missing: [], twice: [], lines: total });
    expect(rotations).toBeGreaterThanOrEqual(3);
    const generations = readdirSync(hostsDir).filter((n) => n.startsWith("rot.access.log")).sort();
    expect(generations).toEqual(["rot.access.log", "rot.access.log.1", "rot.access.log.2"]);
  });

  test("a host removed from the tree has its log files removed after the apply", async () => {
    // Access logs are opened at each write: the file exists once the host served a request.
    expect(await get("other.test", "/")).toBe(200);
    expect(existsSync(join(hostsDir, "other.access.log"))).toBe(true);
    const applied = await nginx.apply({ files: tree(["other"]) });
    expect(applied.ok).toBe(true);
    expect(readdirSync(hostsDir).filter((n) => n.startsWith("rot."))).toEqual([]);
    expect(existsSync(join(hostsDir, "other.access.log"))).toBe(true);
    expect(await get("other.test", "/")).toBe(200);
  });
});
