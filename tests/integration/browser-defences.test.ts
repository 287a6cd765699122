// The real server (production build) against what a hostile page or a careless link can do:
// open redirects through the login form, cross-site writes, tokens in the server's logs, and
// `advanced` directives that try to leave their server block.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ADMIN, Client, setUpServer, startServer, type TestServer } from "../setup/server";

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
