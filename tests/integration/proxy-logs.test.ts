// Proxy access and error logs in the log store, through the real server (production build) with a
// real nginx on loopback: requests through a proxy host become `access` lines of that host with
// levels from their status, a dead upstream's 502 also leaves an `error` line, and another
// organization asking for the same host id gets nothing.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import { freePort } from "../setup/postgres";
import { Client, secondOrganizationClient, setUpServer, startServer, type TestServer } from "../setup/server";
import { viaNginx, stopNginxOf } from "../setup/nginx";

const statusVia = async (host: string, path: string) => (await viaNginx(httpPort, host, path, { "User-Agent": "proxy-logs-test" })).status;

let server: TestServer;
let admin: Client;
let upstream: Server;
let upstreamPort: number;
let httpPort: number;
let agentId: string;

type Line = { time: string; source: { proxyHostId?: string }; stream: string; level: string; message: string };

async function eventually<T>(fn: () => Promise<T | undefined>, ms = 40_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("not found in time");
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function logsOf(client: Client, hostId: string, extra = ""): Promise<Line[]> {
  const res = await client.request(`/api/v1/logs?proxyHostId=${encodeURIComponent(hostId)}&limit=500${extra}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Line[] }).items;
}

beforeAll(async () => {
  upstreamPort = await freePort();
  upstream = createServer((req, res) => {
    res.statusCode = req.url?.startsWith("/missing") ? 404 : 200;
    res.end("from upstream");
  });
  await new Promise<void>((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
  httpPort = await freePort();
  server = await startServer({
    env: { NGINX_BIN: "/usr/sbin/nginx", NGINX_HTTP_PORT: String(httpPort), NGINX_HTTPS_PORT: String(await freePort()), NGINX_LISTEN_ADDRESS: "127.0.0.1", DOCKER_HOST: "unix:///nonexistent/docker.sock" },
  });
  admin = await setUpServer(server);
  const agents = await (await admin.request("/api/v1/agents")).json();
  agentId = agents.items[0].id;
});

afterAll(async () => {
  await server?.stop();
  if (server) stopNginxOf(server.dataDir);
  upstream?.close();
});

describe("proxy logs in the log store", () => {
  let hostId: string;
  let deadHostId: string;

  test("access lines of a host carry its id, stream access and a level from the status", async () => {
    const res = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["logs.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort } });
    expect(res.status).toBe(201);
    hostId = (await res.json()).id;
    expect(await statusVia("logs.test", "/")).toBe(200);
    // The per-organization shipper starts within 15 s of setup; a request made before it started
    // may have been skipped (first start follows from the end), so keep knocking until one lands.
    let knock = 0;
    await eventually(async () => {
      await statusVia("logs.test", `/knock-${knock++}`);
      return (await logsOf(admin, hostId)).length > 0 ? true : undefined;
    });

    const marker = `m${Date.now().toString(36)}`;
    expect(await statusVia("logs.test", `/ok-${marker}`)).toBe(200);
    expect(await statusVia("logs.test", `/missing-${marker}`)).toBe(404);
    const lines = await eventually(async () => {
      const items = await logsOf(admin, hostId, `&q=${marker}`);
      return items.length >= 2 ? items : undefined;
    });
    expect(lines).toHaveLength(2);
    const byUri = new Map(lines.map((l) => [JSON.parse(l.message).uri as string, l]));
    expect(byUri.get(`/ok-${marker}`)).toMatchObject({ stream: "access", level: "info", source: { proxyHostId: hostId } });
    expect(byUri.get(`/missing-${marker}`)).toMatchObject({ stream: "access", level: "warn", source: { proxyHostId: hostId } });
    const parsed = JSON.parse(byUri.get(`/missing-${marker}`)!.message);
    expect(parsed).toMatchObject({ status: 404, method: "GET", host: "logs.test", user_agent: "proxy-logs-test", upstream: `127.0.0.1:${upstreamPort}` });
    expect(typeof parsed.request_time).toBe("number");
    // The Logs page filters by proxy host too (its loader runs the same query).
    const page = await admin.request(`/logs?proxyHostId=${hostId}&range=1h&q=${marker}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`/missing-${marker}`);
    expect(html).toContain("logs.test"); // the host is offered in the filter
    // The line's time is nginx's, within the last minute.
    expect(Math.abs(Date.parse(lines[0]!.time) - Date.now())).toBeLessThan(60_000);
  });

  test("a dead upstream's 502 is an error access line and leaves an error-log line", async () => {
    const deadPort = await freePort();
    const res = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["dead.test"], upstream: { scheme: "http", host: "127.0.0.1", port: deadPort } });
    expect(res.status).toBe(201);
    deadHostId = (await res.json()).id;
    expect(await statusVia("dead.test", "/down")).toBe(502);
    const lines = await eventually(async () => {
      const items = await logsOf(admin, deadHostId);
      return items.some((l) => l.stream === "access") && items.some((l) => l.stream === "error") ? items : undefined;
    });
    expect(lines.find((l) => l.stream === "access")).toMatchObject({ level: "error", source: { proxyHostId: deadHostId } });
    const error = lines.find((l) => l.stream === "error")!;
    expect(error.level).toBe("error");
    expect(error.message).toMatch(/\[error\].*connect\(\) failed.*upstream/);
    // Filtering by stream-level: only this host's lines, never the other host's.
    expect(lines.every((l) => l.source.proxyHostId === deadHostId)).toBe(true);
    const errorsOnly = await logsOf(admin, deadHostId, "&level=error");
    expect(errorsOnly.length).toBe(lines.filter((l) => l.level === "error").length);
  });

  test("two new hosts, one dead upstream: the shared error log's line goes to the dead one only", async () => {
    const deadPort = await freePort();
    const create = async (domain: string, port: number) => {
      const res = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: [domain, `www.${domain}`], upstream: { scheme: "http", host: "127.0.0.1", port } });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const aliveId = await create("alive2.test", upstreamPort);
    const deadId = await create("dead2.test", deadPort);
    const marker = `two${Date.now().toString(36)}`;
    // Both hosts answer right after their apply; the dead one's request goes through its second name.
    expect(await statusVia("alive2.test", `/ok-${marker}`)).toBe(200);
    expect(await statusVia("www.dead2.test", `/down-${marker}`)).toBe(502);
    expect(await statusVia("alive2.test", `/ok2-${marker}`)).toBe(200);
    const deadLines = await eventually(async () => {
      const items = await logsOf(admin, deadId);
      return items.some((l) => l.stream === "error" && l.message.includes(marker)) ? items : undefined;
    });
    const error = deadLines.find((l) => l.stream === "error" && l.message.includes(marker))!;
    expect(error).toMatchObject({ level: "error", source: { proxyHostId: deadId } });
    expect(error.message).toMatch(/\[error\].*connect\(\) failed.*, server: dead2\.test, request: "GET \/down-/);
    // The live host has its access lines and no error line; nor does the first host.
    const aliveLines = await eventually(async () => {
      const items = await logsOf(admin, aliveId);
      return items.filter((l) => l.stream === "access").length >= 2 ? items : undefined;
    });
    expect(aliveLines.filter((l) => l.stream === "error")).toEqual([]);
    expect((await logsOf(admin, hostId)).filter((l) => l.stream === "error")).toEqual([]);
    // Every error line of the 502 was attributed to the dead host only.
    const everywhere = await admin.request(`/api/v1/logs?limit=500&q=${marker}`);
    const all = ((await everywhere.json()) as { items: Line[] }).items.filter((l) => l.stream === "error");
    expect(all.length).toBeGreaterThan(0);
    expect(new Set(all.map((l) => l.source.proxyHostId))).toEqual(new Set([deadId]));
  });

  test("another organization asking for the same host id gets nothing", async () => {
    const other = await secondOrganizationClient(server);
    expect(await logsOf(other, hostId)).toEqual([]);
    expect(await logsOf(other, deadHostId)).toEqual([]);
    // Nor anything else of the first organization's proxy traffic.
    expect(await statusVia("logs.test", "/after-org-b")).toBe(200);
    // First proof that the request was stored (for the first organization), then that the other
    // organization does not see it.
    await eventually(async () => ((await logsOf(admin, hostId)).some((l) => l.message.includes("/after-org-b")) ? true : undefined));
    const res = await other.request("/api/v1/logs?limit=500");
    expect(((await res.json()) as { items: Line[] }).items).toEqual([]);
  });
});
