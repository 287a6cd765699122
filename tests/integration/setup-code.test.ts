// First-run setup from another machine needs the one-time code the server prints in its log;
// from the machine itself it does not. "Another machine" is simulated the way a reverse proxy
// would present one: TRUSTED_PROXIES=127.0.0.1 and X-Forwarded-For from a documentation address
// (no traffic goes there).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ADMIN, Client, startServer, type TestServer } from "../setup/server";

const REMOTE = { "x-forwarded-for": "203.0.113.9" };

function setupCodeFrom(output: string): string {
  const codes = [...output.matchAll(/"setupCode":"([A-Z0-9-]+)"/g)].map((m) => m[1]!);
  expect(codes.length).toBeGreaterThan(0);
  return codes.at(-1)!;
}

describe("setup from another machine", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1", LOG_LEVEL: "error" } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("the server prints a one-time setup code at start, whatever LOG_LEVEL says", () => {
    expect(setupCodeFrom(server.output())).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  });

  test("the setup page asks a remote client for the code and says where to find it", async () => {
    const remote = await new Client(server.url).request("/setup", { headers: REMOTE });
    const html = await remote.text();
    expect(html).toContain('name="setupCode"');
    expect(html).toContain("InfraPilot printed a one-time code there (look for setupCode in docker logs");
    const local = await new Client(server.url).request("/setup");
    expect(await local.text()).not.toContain('name="setupCode"');
  });

  test("refuses setup without the code with 403 setup_code_required", async () => {
    const res = await new Client(server.url).post("/api/v1/setup", ADMIN, REMOTE);
    expect(res.status).toBe(403);
    const body = await res.json();
    expect(body.error.code).toBe("setup_code_required");
    expect(body.error.message).toMatch(/printed it in its log/);
    expect(body.error.fields.setupCode).toBeTruthy();
  });

  test("refuses setup with a wrong code with 403 setup_code_invalid, on the API and the form", async () => {
    const res = await new Client(server.url).post("/api/v1/setup", { ...ADMIN, setupCode: "AAAA-BBBB-CCCC" }, REMOTE);
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("setup_code_invalid");
    const form = await new Client(server.url).form("/setup", { ...ADMIN, setupCode: "AAAA-BBBB-CCCC" }, REMOTE);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain("That setup code is not right.");
    expect(await (await new Client(server.url).request("/api/v1/setup")).json()).toEqual({ needed: true });
  });

  test("setup with the code from the server's log answers 201, and the code is then spent", async () => {
    const code = setupCodeFrom(server.output());
    const res = await new Client(server.url).post("/api/v1/setup", { ...ADMIN, setupCode: code.toLowerCase() }, REMOTE);
    expect(res.status).toBe(201);
    expect((await res.json()).user).toMatchObject({ email: ADMIN.email, role: "super_admin" });
    const again = await new Client(server.url).post("/api/v1/setup", { ...ADMIN, email: "second@example.com", setupCode: code }, REMOTE);
    expect(again.status).toBe(409);
  });
});

describe("setup from the machine itself", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("a loopback client needs no code", async () => {
    const res = await new Client(server.url).post("/api/v1/setup", ADMIN);
    expect(res.status).toBe(201);
  });
});

describe("setup behind an unconfigured local reverse proxy", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("refuses a forwarded request from a loopback peer that is not a trusted proxy without the code", async () => {
    const res = await new Client(server.url).post("/api/v1/setup", ADMIN, REMOTE);
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("setup_code_required");
  });
});
