// The real server (production build) against what a hostile page or a careless link can do:
// open redirects through the login form, cross-site writes, tokens in the server's logs, and
// `advanced` directives that try to leave their server block.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { request as httpRequest } from "node:http";
import { io } from "socket.io-client";
import { ADMIN, Client, setUpServer, startServer, type TestServer } from "../setup/server";

/** node:http, because fetch will not send a Host header of our choosing. */
function raw(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: server.port, path, method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, type: String(res.headers["content-type"]), body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

function socketHandshake(headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const socket = io(`${server.url}/ui`, { transports: ["polling"], extraHeaders: headers, reconnection: false, timeout: 5000 });
    socket.on("hello", () => {
      socket.close();
      resolve("connected");
    });
    socket.on("connect_error", (error) => {
      socket.close();
      resolve(`refused: ${error.message}`);
    });
  });
}

let server: TestServer;
let admin: Client;
let agentId: string;

beforeAll(async () => {
  server = await startServer({ env: { LOG_LEVEL: "debug" } });
  admin = await setUpServer(server);
  agentId = (await (await admin.request("/api/v1/agents")).json()).items[0].id;
});
afterAll(async () => {
  await server?.stop();
});

describe("open redirects", () => {
  test.each([
    "/%09/evil.example",
    "/\\evil.example",
    "//evil.example",
    "/%2F%2Fevil.example",
    "/%2f%5Cevil.example",
    "/\t/evil.example",
    "https://evil.example/",
    "javascript:alert(document.domain)",
  ])("refuses to send a logged-in user to %j after the login form", async (redirectTo) => {
    const c = new Client(server.url);
    const res = await c.form("/login", { email: ADMIN.email, password: ADMIN.password, redirectTo });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/dashboard");
    // What the browser would do with that Location: stay on our origin.
    expect(new URL(res.headers.get("location")!, server.url).origin).toBe(server.url);
  });

  test("a local redirectTo is still followed after the login form", async () => {
    const c = new Client(server.url);
    const res = await c.form("/login", { email: ADMIN.email, password: ADMIN.password, redirectTo: "/containers?all=true" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/containers?all=true");
  });

  test("refuses to send the theme switcher to another site", async () => {
    const res = await admin.form("/theme", { theme: "dark", redirectTo: "/%2F%2Fevil.example" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/");
  });
});

describe("advanced directives", () => {
  test("refuses a comment-hidden brace that would close the server block with a 400 field error on advanced", async () => {
    const advanced = "# {\n}\nserver { listen 127.0.0.1:8081; return 200 pwned; }\nserver { listen 127.0.0.1:8082; # }";
    const res = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["escape.test"], upstream: { scheme: "http", host: "127.0.0.1", port: 9 }, advanced });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.fields.advanced).toMatch(/closes a block that was not opened here/);
    const list = await (await admin.request(`/api/v1/agents/${agentId}/proxies`)).json();
    expect(list.items.map((h: { domains: string[] }) => h.domains[0])).not.toContain("escape.test");
  });

  test("braces in quotes and comments stay accepted", async () => {
    const advanced = `add_header X-A "{}";\n# comment with }\nlocation = /ok { return 200 '{"ok":true}'; }`;
    const res = await admin.post(`/api/v1/agents/${agentId}/proxies?wait=false`, { kind: "proxy", domains: ["quoted.test"], upstream: { scheme: "http", host: "127.0.0.1", port: 9 }, advanced });
    expect(res.status).toBe(201);
    expect((await res.json()).advanced).toBe(advanced);
  });
});

describe("tokens in the server's logs", () => {
  test("an invitation token never appears in the access or error log, even on refused requests", async () => {
    const created = await admin.post("/api/v1/users", { email: "logged-invitee@example.com", name: "Logged Invitee", role: "viewer" });
    expect(created.status).toBe(201);
    const { invitation } = await created.json();
    const path = new URL(invitation.url).pathname;
    const token = path.split("/").pop()!;
    const before = server.output().length;

    const c = new Client(server.url);
    expect((await c.request(path)).status).toBe(200);
    // Refused requests are logged as warnings (and so at the default level too).
    const crossSite = await c.request(path, {
      method: "POST",
      body: new URLSearchParams({ password: "mallory's long password" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(403);
    expect((await c.request(`/api/v1/no-such-thing?token=${token}&code=${token}`)).status).toBe(404);
    const accepted = await c.form(path, { password: "invitee's long password" });
    expect(accepted.status).toBe(302);
    expect((await c.request(path)).status).toBe(200); // the used link, once more

    await new Promise((r) => setTimeout(r, 200)); // let the child's pipes drain
    const log = server.output().slice(before);
    expect(log).toContain("refused cross-site request");
    expect(log).toContain("/invite/[redacted]");
    expect(log).toContain("token=[redacted]");
    expect(log).not.toContain(token);
  });
});

describe("cross-site writes fail closed", () => {
  test("refuses a cookie-authenticated POST with neither Origin nor Sec-Fetch-Site with 403 cross_site_request", async () => {
    const res = await admin.request("/api/v1/tokens", { method: "POST", json: { name: "csrf", scope: "read" }, origin: null });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("cross_site_request");
    const logout = await admin.request("/logout", { method: "POST", origin: null });
    expect(logout.status).toBe(403);
    expect((await admin.request("/api/v1/me")).status).toBe(200);
  });

  test("refuses an Origin that only matches the request's own Host", async () => {
    const res = await raw("/logout", { method: "POST", headers: { host: "localhost:9", origin: "http://localhost:9", cookie: admin.cookieHeader() } });
    expect(res.status).toBe(403);
    expect((await admin.request("/api/v1/me")).status).toBe(200);
  });

  test("our own origin, loopback on our port, and Sec-Fetch-Site: same-origin pass", async () => {
    const own = await admin.request("/api/v1/tokens", { method: "POST", json: { name: "own-origin", scope: "read" } });
    expect(own.status).toBe(201);
    const loopback = await admin.request("/api/v1/tokens", { method: "POST", json: { name: "loopback", scope: "read" }, origin: `http://localhost:${server.port}` });
    expect(loopback.status).toBe(201);
    const fetchMetadata = await admin.request("/api/v1/tokens", { method: "POST", json: { name: "sec-fetch", scope: "read" }, origin: null, headers: { "sec-fetch-site": "same-origin" } });
    expect(fetchMetadata.status).toBe(201);
  });

  test("a bearer-token write needs no Origin", async () => {
    const created = await admin.post("/api/v1/tokens", { name: "bot", scope: "admin" });
    const { secret } = await created.json();
    const res = await fetch(`${server.url}/api/v1/users`, { method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body: JSON.stringify({ email: "bot-invited@example.com", name: "Bot invited", role: "viewer" }) });
    expect(res.status, await res.clone().text()).toBe(201);
  });

  test("refuses a socket handshake with cookies but no Origin", async () => {
    expect(await socketHandshake({ cookie: admin.cookieHeader(), origin: server.url })).toBe("connected");
    expect(await socketHandshake({ cookie: admin.cookieHeader() })).toMatch(/^refused/);
  });
});

describe("DNS rebinding", () => {
  test("refuses a foreign Host with 421 and a short plain message, on pages and the API", async () => {
    const page = await raw("/login", { headers: { host: "rebound.evil.example:" + server.port } });
    expect(page.status).toBe(421);
    expect(page.type).toMatch(/^text\/plain/);
    expect(page.body).toMatch(/^Misdirected request: the host name rebound.evil.example is not this InfraPilot's/);
    const api = await raw("/api/v1/me", { headers: { host: "rebound.evil.example", cookie: admin.cookieHeader() } });
    expect(api.status).toBe(421);
    expect(JSON.parse(api.body).error.code).toBe("misdirected_request");
    const write = await raw("/api/v1/auth/login", { method: "POST", headers: { host: "rebound.evil.example", origin: "http://rebound.evil.example", "content-type": "application/json" }, body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }) });
    expect(write.status).toBe(421);
  });

  test("health probes answer any Host", async () => {
    expect((await raw("/healthz", { headers: { host: "infrapilot:3000" } })).status).toBe(200);
    expect((await raw("/readyz", { headers: { host: "infrapilot:3000" } })).status).toBe(200);
  });

  test("loopback names with any port are ours", async () => {
    expect((await raw("/login", { headers: { host: "localhost:1234" } })).status).toBe(200);
    expect((await raw("/login", { headers: { host: "[::1]" } })).status).toBe(200);
  });

  test("refuses a socket handshake from a rebound host name", async () => {
    // socket.io-client cannot choose its Host header: the handshake's first polling request by hand.
    const handshake = (host: string) => raw("/socket.io/?EIO=4&transport=polling", { headers: { host, origin: server.url, cookie: admin.cookieHeader() } });
    expect((await handshake(`127.0.0.1:${server.port}`)).status).toBe(200);
    const refused = await handshake("rebound.evil.example");
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/not this InfraPilot's/);
  });
});
