// The proxy REST API through the real server (production build) with a real nginx on loopback.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServer, type Server } from "node:http";
import { freePort } from "../setup/postgres";
import { memberClient, setUpServer, type Client, startServer, type TestServer } from "../setup/server";
import { viaNginx, stopNginxOf } from "../setup/nginx";

let server: TestServer;
let admin: Client;
let upstream: Server;
let upstreamPort: number;
let httpPort: number;
let agentId: string;

beforeAll(async () => {
  upstreamPort = await freePort();
  upstream = createServer((_req, res) => res.end("from upstream"));
  await new Promise<void>((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
  httpPort = await freePort();
  server = await startServer({ env: { NGINX_BIN: "/usr/sbin/nginx", NGINX_HTTP_PORT: String(httpPort), NGINX_HTTPS_PORT: String(await freePort()), NGINX_LISTEN_ADDRESS: "127.0.0.1" } });
  admin = await setUpServer(server);
  const agents = await (await admin.request("/api/v1/agents")).json();
  agentId = agents.items[0].id;
});

afterAll(async () => {
  await server?.stop();
  if (server) stopNginxOf(server.dataDir);
  upstream?.close();
});

describe("proxy API", () => {
  test("creating a host answers 201 with the host live, and nginx serves it", async () => {
    const res = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["app.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort } });
    expect(res.status).toBe(201);
    const host = await res.json();
    expect(host).toMatchObject({ kind: "proxy", domains: ["app.test"], status: { state: "ok", message: null } });
    expect(await viaNginx(httpPort, "app.test")).toEqual({ status: 200, body: "from upstream" });
    const list = await (await admin.request(`/api/v1/agents/${agentId}/proxies`)).json();
    expect(list.items.map((h: { id: string }) => h.id)).toContain(host.id);
    const status = await (await admin.request(`/api/v1/agents/${agentId}/proxies/status`)).json();
    expect(status.state).toBe("ok");
    const patched = await admin.request(`/api/v1/agents/${agentId}/proxies/${host.id}`, { method: "PATCH", json: { ...host, domains: ["app2.test"], status: undefined, id: undefined, agentId: undefined, createdAt: undefined, updatedAt: undefined } });
    // What GET returns (minus the read-only fields) is a valid PATCH body.
    expect(patched.status).toBe(200);
    expect((await patched.json()).domains).toEqual(["app2.test"]);
    expect(await viaNginx(httpPort, "app2.test")).toEqual({ status: 200, body: "from upstream" });
    expect((await viaNginx(httpPort, "app.test")).status).toBe(404);
  });

  test("a save waits for nginx by default: every PATCH answers ok and the very next request gets the new config", async () => {
    const other = createServer((_req, res) => res.end("from the other upstream"));
    const otherPort = await freePort();
    await new Promise<void>((r) => other.listen(otherPort, "127.0.0.1", r));
    try {
      const body = (port: number) => ({ kind: "proxy", domains: ["flip.test"], upstream: { scheme: "http", host: "127.0.0.1", port } });
      const created = await (await admin.post(`/api/v1/agents/${agentId}/proxies`, body(upstreamPort))).json();
      expect(created.status.state).toBe("ok");
      for (let i = 0; i < 6; i++) {
        const [port, expected] = i % 2 === 0 ? [otherPort, "from the other upstream"] : [upstreamPort, "from upstream"];
        const res = await admin.request(`/api/v1/agents/${agentId}/proxies/${created.id}`, { method: "PATCH", json: body(port) });
        expect(res.status).toBe(200);
        expect((await res.json()).status.state).toBe("ok");
        expect(await viaNginx(httpPort, "flip.test")).toEqual({ status: 200, body: expected });
      }
      expect((await admin.request(`/api/v1/agents/${agentId}/proxies/${created.id}`, { method: "DELETE" })).status).toBe(204);
      expect((await viaNginx(httpPort, "flip.test")).status).toBe(404);
    } finally {
      other.close();
    }
  });

  test("?wait=false answers at nginx's signal with pending, and the host then turns ok", async () => {
    const res = await admin.post(`/api/v1/agents/${agentId}/proxies?wait=false`, { kind: "proxy", domains: ["nowait.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort } });
    expect(res.status).toBe(201);
    const host = await res.json();
    expect(host.status.state).toBe("pending");
    let state = host.status.state;
    for (const deadline = Date.now() + 30_000; state === "pending" && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 25));
      state = (await (await admin.request(`/api/v1/agents/${agentId}/proxies/${host.id}`)).json()).status.state;
    }
    expect(state).toBe("ok");
    expect(await viaNginx(httpPort, "nowait.test")).toEqual({ status: 200, body: "from upstream" });
    expect((await admin.request(`/api/v1/agents/${agentId}/proxies/${host.id}?wait=false`, { method: "DELETE" })).status).toBe(204);
    const bad = await admin.request(`/api/v1/agents/${agentId}/proxies/${host.id}?wait=maybe`, { method: "PATCH", json: {} });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields).toHaveProperty("wait");
  });

  test("the reachability probe tells a live upstream from a dead one, with the reason", async () => {
    const deadPort = await freePort(); // nothing listens here
    const live = await (await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["reach-live.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort } })).json();
    const dead = await (await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["reach-dead.test"], upstream: { scheme: "http", host: "127.0.0.1", port: deadPort } })).json();
    const res = await admin.request(`/api/v1/agents/${agentId}/proxies/reachability`);
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: { id: string; reachable: boolean | null; message: string; ms: number | null }[] };
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get(live.id)).toMatchObject({ reachable: true, ms: expect.any(Number) });
    expect(byId.get(dead.id)).toMatchObject({ reachable: false, message: expect.stringMatching(/refused|ECONNREFUSED/i) });
    for (const id of [live.id, dead.id]) await admin.request(`/api/v1/agents/${agentId}/proxies/${id}`, { method: "DELETE" });
  });

  test("an injected upstream host is a 400 with field errors", async () => {
    const res = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["x.test"], upstream: { scheme: "http", host: 'app"; return 200 "pwned"; #', port: 80 } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields).toHaveProperty(["upstream.host"]);
  });

  test("an admin who is not super admin gets 403 for advanced directives", async () => {
    const { client: other } = await memberClient(server, admin, { email: "plain-admin@example.com", role: "admin", name: "Adm" });
    const res = await other.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["adv.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort }, advanced: "proxy_buffering off;" });
    expect(res.status).toBe(403);
  });

  test("another organization's or an unknown agent id is a 404", async () => {
    expect((await admin.request(`/api/v1/agents/00000000-0000-0000-0000-000000000000/proxies`)).status).toBe(404);
  });
});
