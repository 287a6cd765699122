// `npm start` on a bare machine: no DATABASE_URL, so the real server starts its embedded
// PostgreSQL inside DATA_DIR, serves setup, shuts down cleanly and keeps its data on restart.
// An invalid environment stops it before anything starts, naming every bad variable.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ADMIN, Client, startServer, type TestServer } from "../setup/server";

/** Processes whose command line mentions `needle` (the embedded postgres runs with -D DATA_DIR/postgres). */
function processesMentioning(needle: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      if (cmdline.includes(needle)) found.push({ pid: Number(entry), cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Resolves with the exit code once the process ends by itself (SIGCONT does nothing to a running process). */
async function exitCodeOf(server: TestServer, withinMs = 30_000): Promise<number | null> {
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), withinMs).unref());
  const result = await Promise.race([server.stop("SIGCONT"), timeout]);
  if (result === "timeout") {
    await server.stop("SIGKILL");
    throw new Error(`the server did not exit within ${withinMs} ms:\n${server.output()}`);
  }
  return result;
}

describe("starting with the embedded database", () => {
  test("an empty data directory gets its own PostgreSQL, the setup page, a clean shutdown and its data back on restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "infrapilot-startup-"));

    const first = await startServer({ database: false, dataDir });
    try {
      const postmasterPid = Number(readFileSync(join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
      expect(alive(postmasterPid), "postgres runs from DATA_DIR/postgres").toBe(true);

      const client = new Client(first.url);
      const page = await client.request("/setup");
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("Set up InfraPilot");
      expect(html).toMatch(/<form[^>]*method="post"/i);
      for (const field of ["name", "email", "password"]) expect(html).toContain(`name="${field}"`);

      expect(await (await client.request("/api/v1/setup")).json()).toEqual({ needed: true });
      const setup = await client.post("/api/v1/setup", ADMIN);
      expect(setup.status).toBe(201);
      expect(await (await client.request("/api/v1/setup")).json()).toEqual({ needed: false });

      expect(await first.stop("SIGTERM"), `exit code after SIGTERM; output:\n${first.output()}`).toBe(0);
      expect(alive(postmasterPid), "the embedded postgres stops with the server").toBe(false);
      expect(processesMentioning(dataDir), "no process still uses the data directory").toEqual([]);
      expect(existsSync(join(dataDir, "postgres", "postmaster.pid")), "postgres shut down cleanly").toBe(false);
    } finally {
      await first.stop("SIGKILL");
    }

    const second = await startServer({ database: false, dataDir });
    try {
      const client = new Client(second.url);
      expect(await (await client.request("/api/v1/setup")).json()).toEqual({ needed: false });
      const setupPage = await client.request("/setup");
      expect(setupPage.status).toBe(302);
      expect(setupPage.headers.get("location")).toBe("/login");

      const login = await client.post("/api/v1/auth/login", { email: ADMIN.email, password: ADMIN.password });
      expect(login.status).toBe(200);
      const me = await client.request("/api/v1/me");
      expect(me.status).toBe(200);
      const body = (await me.json()) as { user: { email: string; name: string; role: string }; edition: string };
      expect(body.user).toMatchObject({ email: ADMIN.email, name: ADMIN.name, role: "super_admin" });
      expect(body.edition).toBe("community");
    } finally {
      expect(await second.stop("SIGTERM")).toBe(0);
    }
    expect(processesMentioning(dataDir)).toEqual([]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("an invalid environment stops the process with one message naming every bad variable", async () => {
    const server = await startServer({ database: false, env: { EDITION: "enterprise", PORT: "abc" }, waitFor: "exit" });
    const code = await exitCodeOf(server);
    const output = server.output();

    expect(code, output).not.toBe(0);
    expect(code, output).not.toBeNull();
    expect(output.match(/Invalid configuration/g), "a single message").toHaveLength(1);
    expect(output).toMatch(/EDITION: expected community or saas/);
    expect(output).toMatch(/PORT: expected a port number/);
    expect(existsSync(join(server.dataDir, "postgres")), "no database was started").toBe(false);
    rmSync(server.dataDir, { recursive: true, force: true });
  });
});
