// nginx at server start (NGINX_MODE=local): restarted on the last good tree after a host reboot,
// and a missing nginx is a warning plus a note on the Proxies page, never a failed start.
import { afterAll, describe, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import { freePort } from "../setup/postgres";
import { setUpServer, startServer, type TestServer } from "../setup/server";
import { stopNginx, viaNginx } from "../setup/nginx";

const servers: TestServer[] = [];
let upstream: Server | undefined;

afterAll(async () => {
  for (const s of servers) {
    await s.stop();
    await stopNginx(s.dataDir);
  }
  upstream?.close();
});

describe("nginx at boot", () => {
  test("the server starts nginx on the last good tree when it is not running", async () => {
    const upstreamPort = await freePort();
    upstream = createServer((_req, res) => res.end("still here"));
    await new Promise<void>((r) => upstream!.listen(upstreamPort, "127.0.0.1", r));
    const httpPort = await freePort();
    const env = { NGINX_BIN: "/usr/sbin/nginx", NGINX_HTTP_PORT: String(httpPort), NGINX_HTTPS_PORT: String(await freePort()), NGINX_LISTEN_ADDRESS: "127.0.0.1" };
    const first = await startServer({ env });
    servers.push(first);
    const admin = await setUpServer(first);
    const agentId = (await (await admin.request("/api/v1/agents")).json()).items[0].id;
    expect((await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["boot.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort } })).status).toBe(201);
    expect(await viaNginx(httpPort, "boot.test")).toEqual({ status: 200, body: "still here" });

    // A "reboot": InfraPilot and nginx both go away; InfraPilot comes back with the same data.
    await first.stop();
    await stopNginx(first.dataDir);
    await expect(viaNginx(httpPort, "boot.test")).rejects.toThrow(/ECONNREFUSED/);
    const second = await startServer({ env, dataDir: first.dataDir, database: first.databaseUrl });
    servers.push(second);
    const deadline = Date.now() + 10_000;
    let res: { status: number; body: string } | null = null;
    while (Date.now() < deadline && !res) res = await viaNginx(httpPort, "boot.test").catch(() => new Promise<null>((r) => setTimeout(() => r(null), 100)));
    expect(res).toEqual({ status: 200, body: "still here" });
  });

  test("a missing nginx binary is a warning and the Proxies page says why", async () => {
    const server = await startServer({ env: { NGINX_BIN: "/nonexistent/nginx", NGINX_HTTP_PORT: String(await freePort()), NGINX_HTTPS_PORT: String(await freePort()), NGINX_LISTEN_ADDRESS: "127.0.0.1", LOG_LEVEL: "warn" } });
    servers.push(server);
    const admin = await setUpServer(server);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && !server.output().includes("nginx was not found")) await new Promise((r) => setTimeout(r, 50));
    expect(server.output()).toContain("nginx was not found (NGINX_BIN=/nonexistent/nginx)");
    const page = await (await admin.request("/proxies")).text();
    expect(page).toContain("nginx was not found (NGINX_BIN=/nonexistent/nginx)");
  });
});
