// The real server over HTTP: the contract's error shapes, CSRF refusals, session fixation,
// body limits, and edition gating.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ADMIN, Client, startServer, setUpServer, type TestServer } from "../setup/server";

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

describe("before setup", () => {
  test("the API reports that setup is needed and every page leads to setup", async () => {
    const c = new Client(server.url);
    expect(await (await c.request("/api/v1/setup")).json()).toEqual({ needed: true });
    const res = await c.request("/");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/setup");
  });

  test("a cross-site POST to setup is refused and creates nothing", async () => {
    const c = new Client(server.url);
    const res = await c.request("/setup", {
      method: "POST",
      body: new URLSearchParams({ name: "Mallory", email: "m@evil.example", password: "mallory's long password" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect(res.status).toBe(403);
    const api = await c.request("/api/v1/setup", { method: "POST", json: { name: "Mallory", email: "m@evil.example", password: "mallory's long password" }, headers: { origin: "https://evil.example" } });
    expect(api.status).toBe(403);
    expect(await api.json()).toMatchObject({ error: { code: "cross_site_request" } });
    expect(await (await c.request("/api/v1/setup")).json()).toEqual({ needed: true });
  });

  test("setup with bad fields answers 400 with field errors", async () => {
    const c = new Client(server.url);
    const res = await c.post("/api/v1/setup", { email: "not-an-email", name: "", password: "short" });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("validation_failed");
    expect(Object.keys(body.error.fields).sort()).toEqual(["email", "name", "password"]);
  });

  test("the setup form shows field errors instead of failing", async () => {
    const c = new Client(server.url);
    const res = await c.form("/setup", { name: "Ada", email: "ada@example.com", password: "short" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Use at least 12 characters.");
  });
});

describe("after setup", () => {
  let admin: Client;
  beforeAll(async () => {
    admin = await setUpServer(server);
  });

  test("setup answers 409 and its page redirects to login", async () => {
    const c = new Client(server.url);
    const res = await c.post("/api/v1/setup", { ...ADMIN, email: "second@example.com" });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("conflict");
    const page = await c.request("/setup");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/login");
  });

  test("GET /api/v1/me returns the user, organization and edition", async () => {
    const res = await admin.request("/api/v1/me");
    expect(res.status).toBe(200);
    const me = await res.json();
    expect(me.user).toMatchObject({ email: ADMIN.email, name: ADMIN.name, role: "super_admin", mfaEnabled: false });
    expect(me.org).toMatchObject({ name: "Default" });
    expect(me.edition).toBe("community");
  });

  test("the API without a session answers 401 in the contract's shape", async () => {
    const res = await new Client(server.url).request("/api/v1/me");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "You need to log in." } });
  });

  test("a bearer credential that is not a valid token is refused", async () => {
    const res = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: "Bearer nope" } });
    expect(res.status).toBe(401);
  });

  test("a session cookie planted before login is not the one issued after it", async () => {
    const c = new Client(server.url);
    const planted = "A".repeat(43);
    c.cookies.set("infrapilot_session", planted);
    expect((await c.request("/api/v1/me")).status).toBe(401);
    const res = await c.form("/login", { email: ADMIN.email, password: ADMIN.password });
    expect(res.status).toBe(302);
    expect(c.cookies.get("infrapilot_session")).not.toBe(planted);
    expect((await c.request("/api/v1/me")).status).toBe(200);
  });

  test("the session cookie is HttpOnly and SameSite=Lax", async () => {
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("infrapilot_session="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
  });

  test("a cross-site POST to login or logout is refused", async () => {
    const c = new Client(server.url);
    const login = await c.request("/login", {
      method: "POST",
      body: new URLSearchParams({ email: ADMIN.email, password: ADMIN.password }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
    });
    expect(login.status).toBe(403);
    expect(c.cookies.has("infrapilot_session")).toBe(false);
    const apiLogin = await c.request("/api/v1/auth/login", { method: "POST", json: { email: ADMIN.email, password: ADMIN.password }, headers: { "sec-fetch-site": "cross-site" } });
    expect(apiLogin.status).toBe(403);

    const logout = await admin.request("/logout", { method: "POST", headers: { origin: "https://evil.example" } });
    expect(logout.status).toBe(403);
    expect((await admin.request("/api/v1/me")).status).toBe(200);
  });

  test("a wrong password on the login form shows an error and no session", async () => {
    const c = new Client(server.url);
    const res = await c.form("/login", { email: ADMIN.email, password: "definitely wrong" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Wrong e-mail or password.");
    expect(c.cookies.has("infrapilot_session")).toBe(false);
  });

  test("login and logout through the API", async () => {
    const c = new Client(server.url);
    const wrong = await c.post("/api/v1/auth/login", { email: ADMIN.email, password: "definitely wrong" });
    expect(wrong.status).toBe(401);
    const ok = await c.post("/api/v1/auth/login", { email: ADMIN.email, password: ADMIN.password });
    expect(ok.status).toBe(200);
    expect((await ok.json()).user.email).toBe(ADMIN.email);
    const out = await c.request("/api/v1/auth/logout", { method: "POST" });
    expect(out.status).toBe(204);
    expect((await c.request("/api/v1/me")).status).toBe(401);
  });

  test("the logout form ends the session and returns to the login page", async () => {
    const c = new Client(server.url);
    await c.post("/api/v1/auth/login", { email: ADMIN.email, password: ADMIN.password });
    const res = await c.form("/logout", {});
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login");
    const page = await c.request("/dashboard");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/login?redirectTo=%2Fdashboard");
  });

  test("the dashboard shows real data for the logged-in user", async () => {
    const res = await admin.request("/dashboard");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(ADMIN.name);
    expect(html).toContain('data-testid="member-count">1<');
    expect(html).toContain("auth.login");
  });

  test("SaaS-only areas do not exist in the Community edition", async () => {
    expect((await admin.request("/organizations")).status).toBe(404);
    expect((await admin.request("/billing")).status).toBe(404);
    expect((await admin.request("/containers")).status).toBe(200);
  });
});

describe("bad input", () => {
  test("malformed JSON answers 400 with a message", async () => {
    const res = await fetch(`${server.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "validation_failed", message: "The body is not valid JSON." } });
  });

  test("a JSON body of the wrong shape answers 400 with field errors", async () => {
    const res = await fetch(`${server.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([1, 2]) });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("validation_failed");
  });

  test("a body over 1 MB answers 413, declared or streamed", async () => {
    const big = JSON.stringify({ email: "a@b.c", password: "x".repeat(1_100_000) });
    const declared = await fetch(`${server.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: big });
    expect(declared.status).toBe(413);
    expect((await declared.json()).error.code).toBe("payload_too_large");
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 12; i++) controller.enqueue(new TextEncoder().encode("x".repeat(100_000)));
        controller.close();
      },
    });
    const streamed = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chunks,
      duplex: "half",
    } as RequestInit).catch((e: Error) => e);
    if (streamed instanceof Response) expect(streamed.status).toBe(413);
    else expect(streamed.message).toMatch(/fetch failed|reset|closed/i); // the server cut the upload off
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  test("an unknown page is a friendly 404 and an unknown API path a JSON 404", async () => {
    const page = await fetch(`${server.url}/no/such/page`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain("Page not found");
    const apiRes = await fetch(`${server.url}/api/v1/no-such-thing`);
    expect(apiRes.status).toBe(404);
    expect((await apiRes.json()).error.code).toBe("not_found");
  });

  test("responses carry a request id and no stack traces", async () => {
    const res = await fetch(`${server.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.text()).not.toMatch(/at .*\.ts:\d+/);
  });
});
