// Proxies in a real browser against the production server and a real nginx on loopback: create a
// proxy host through the form, watch it go live ("ok"), see its upstream reported reachable, and
// request it through nginx with its Host header to get the upstream's body.
import { readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { freePort } from "../setup/postgres";
import { ADMIN, setUpServer, startServer, type TestServer } from "../setup/server";
import { openBrowser, waitForHydration, type TestBrowser } from "./browser";
import { viaNginx } from "../setup/nginx";

let server: TestServer;
let browser: TestBrowser;
let upstream: Server;
let upstreamPort: number;
let httpPort: number;

beforeAll(async () => {
  upstreamPort = await freePort();
  upstream = createServer((_req, res) => res.end("hello from the e2e upstream"));
  await new Promise<void>((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
  httpPort = await freePort();
  const env = { NGINX_BIN: "/usr/sbin/nginx", NGINX_HTTP_PORT: String(httpPort), NGINX_HTTPS_PORT: String(await freePort()), NGINX_LISTEN_ADDRESS: "127.0.0.1" };
  [server, browser] = await Promise.all([startServer({ env }), openBrowser()]);
  await setUpServer(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  try {
    process.kill(Number(readFileSync(join(server.dataDir, "nginx", "run", "nginx.pid"), "utf8")), "SIGQUIT");
  } catch {
    // nginx never started
  }
  upstream?.close();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

describe("proxies in a browser", () => {
  test("a host created through the form goes live and nginx serves its upstream", async () => {
    const page = await browser.newPage(server.url);
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL("**/dashboard");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Proxies" }).click();
    await page.waitForURL("**/proxies");
    await waitForHydration(page);

    await page.getByLabel("Domains").fill("e2e.test");
    await page.getByLabel("Upstream host").fill("127.0.0.1");
    await page.getByLabel("Port").fill(String(upstreamPort));
    await page.getByRole("button", { name: "Create and apply" }).click();

    const row = page.locator('[data-testid="proxy-row"][data-domain="e2e.test"]');
    await page.locator('[data-testid="proxy-row"][data-domain="e2e.test"][data-state="ok"]').waitFor();
    await expect(row.textContent()).resolves.toContain("Live");
    await row.locator('[data-testid="upstream-reachability"][data-reachable="true"]').waitFor();

    expect(await viaNginx(httpPort, "e2e.test")).toEqual({ status: 200, body: "hello from the e2e upstream" });
    expect((await viaNginx(httpPort, "unknown.test")).status).toBe(404);

    // The Certificates page is one click away, in the navigation right after Proxies.
    const nav = await page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents();
    expect(nav.slice(nav.indexOf("Proxies"), nav.indexOf("Proxies") + 2)).toEqual(["Proxies", "Certificates"]);
    browser.assertNoPageErrors();
  });
});
