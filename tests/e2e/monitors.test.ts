// Monitors in a real browser against the production server: "Monitor this" on a proxy host opens
// the form pre-filled with the host's public URL; a monitor made through the form goes up, down
// (with a webhook notification) and up again through "Check now"; deleting asks first.
import { rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { freePort } from "../setup/postgres";
import { setUpServer, startServer, type Client, type TestServer } from "../setup/server";
import { stopNginxOf } from "../setup/nginx";
import { localAgentId } from "../setup/containers";
import { startReceivers, type Receivers } from "../integration/alert-receivers";
import { logIn, openBrowser, waitForHydration, type TestBrowser } from "./browser";

let server: TestServer;
let browser: TestBrowser;
let target: Server;
let targetPort: number;
let rx: Receivers;
let admin: Client;
let status = 200;

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(status);
    res.end("shop is open");
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  targetPort = (target.address() as AddressInfo).port;
  rx = await startReceivers();
  const env = {
    DOCKER_HOST: inject("dockerHost"),
    NGINX_BIN: "/usr/sbin/nginx",
    NGINX_HTTP_PORT: String(await freePort()),
    NGINX_HTTPS_PORT: String(await freePort()),
    NGINX_LISTEN_ADDRESS: "127.0.0.1",
    ALERTS_ALLOWED_HOSTS: `127.0.0.1:${targetPort},127.0.0.1:${rx.httpPort}`,
  };
  [server, browser] = await Promise.all([startServer({ env }), openBrowser()]);
  admin = await setUpServer(server);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) stopNginxOf(server.dataDir);
  await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
  await rx?.close();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

describe("Monitors page", () => {
  test("says what to do when nothing is monitored yet", async () => {
    const page = await browser.newPage(server.url);
    await logIn(page);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Monitors" }).click();
    await page.waitForURL("**/monitors");
    await page.getByText("Nothing is monitored yet").waitFor();
    browser.assertNoPageErrors();
  });

  test("'Monitor this' on a proxy host opens the form pre-filled; the monitor goes down and up with a notification; delete asks first", async () => {
    const agentId = await localAgentId(admin);
    const hook = await admin.post("/api/v1/alerts/channels", { name: "ops hook", type: "webhook", config: { url: `http://127.0.0.1:${rx.httpPort}/e2e` } });
    expect(hook.status).toBe(201);
    const host = await admin.post(`/api/v1/agents/${agentId}/proxies?wait=false`, { kind: "proxy", domains: ["shop.test"], upstream: { scheme: "http", host: "127.0.0.1", port: targetPort } });
    expect(host.status).toBe(201);

    const page = await browser.newPage(server.url);
    await logIn(page);
    await page.goto("/proxies");
    await waitForHydration(page);
    await page.getByRole("link", { name: "Monitor shop.test" }).click();
    await page.waitForURL(/\/monitors\?new=http/);
    await waitForHydration(page);
    const form = page.getByRole("form", { name: "New monitor" });
    await expect(form.getByLabel("Name", { exact: true }).inputValue()).resolves.toBe("shop.test");
    await expect(form.getByLabel("URL", { exact: true }).inputValue()).resolves.toBe("http://shop.test/");

    // shop.test resolves nowhere here: point the monitor at the upstream itself.
    await form.getByLabel("URL", { exact: true }).fill(`http://127.0.0.1:${targetPort}/`);
    await form.getByLabel("Check every (seconds)").fill("10");
    await form.getByLabel("ops hook (webhook)").check();
    await form.getByRole("button", { name: "Create monitor" }).click();
    await form.getByText("At least 20 seconds.").waitFor();
    await form.getByLabel("Check every (seconds)").fill("3600");
    await form.getByRole("button", { name: "Create monitor" }).click();
    const row = page.locator('[data-testid="monitor-row"][data-name="shop.test"]');
    await row.waitFor();
    await expect(row.getAttribute("data-status")).resolves.toBe("pending");

    await page.getByRole("button", { name: "Check now shop.test" }).click();
    await page.locator('[data-testid="monitor-row"][data-name="shop.test"][data-status="up"]').waitFor();
    status = 500;
    await page.getByRole("button", { name: "Check now shop.test" }).click();
    await page.locator('[data-testid="monitor-row"][data-name="shop.test"][data-status="down"]').waitFor();
    await expect(row.textContent()).resolves.toContain("HTTP 500");
    await rx.waitFor(() => rx.requests.filter((r) => r.path === "/e2e"), (items) => items.some((r) => r.body.includes("Down: shop.test")));
    status = 200;
    await page.getByRole("button", { name: "Check now shop.test" }).click();
    await page.locator('[data-testid="monitor-row"][data-name="shop.test"][data-status="up"]').waitFor();
    await rx.waitFor(() => rx.requests.filter((r) => r.path === "/e2e"), (items) => items.some((r) => r.body.includes("Up: shop.test")));

    await page.getByRole("button", { name: "Delete shop.test" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete the monitor shop.test?" });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(row.count()).resolves.toBe(1);
    await page.getByRole("button", { name: "Delete shop.test" }).click();
    await dialog.getByRole("button", { name: "Delete monitor" }).click();
    await page.getByText("Nothing is monitored yet").waitFor();
    browser.assertNoPageErrors();
  }, 90_000);

  test("publishes a status page from the Monitors page that a visitor sees without logging in; deleting it asks first", async () => {
    const created = await admin.post("/api/v1/monitors", { name: "Storefront", type: "http", intervalSeconds: 86400, config: { url: `http://127.0.0.1:${targetPort}/` } });
    expect(created.status).toBe(201);
    await admin.post("/api/v1/monitors", { name: "Back office", type: "push", intervalSeconds: 86400 });
    const page = await browser.newPage(server.url);
    await logIn(page);
    await page.goto("/monitors");
    await waitForHydration(page);
    const form = page.getByRole("form", { name: "New status page" });
    await form.getByLabel("Page title").fill("Shop status");
    await form.getByLabel("Address (slug)").fill("Bad Slug");
    await form.getByLabel("Storefront").check();
    await form.getByRole("button", { name: "Publish status page" }).click();
    await form.getByText("Lowercase letters, digits and dashes; no dash at either end.").waitFor();
    await form.getByLabel("Address (slug)").fill("shop");
    await form.getByRole("button", { name: "Publish status page" }).click();
    await page.locator('[data-testid="status-page-row"]', { hasText: "/status/shop" }).waitFor();

    const visitor = await browser.newPage(server.url);
    await visitor.goto("/status/shop");
    await visitor.getByRole("heading", { name: "Shop status" }).waitFor();
    await expect(visitor.locator('[data-testid="status-monitor"]').allTextContents()).resolves.toEqual([expect.stringContaining("Storefront")]);
    await expect(visitor.content()).resolves.not.toContain("Back office");

    await page.getByRole("button", { name: "Delete the status page shop" }).click();
    await page.getByRole("dialog", { name: "Delete the status page Shop status?" }).getByRole("button", { name: "Delete status page" }).click();
    await page.locator('[data-testid="status-page-row"]').waitFor({ state: "detached" });
    expect((await fetch(`${server.url}/status/shop`)).status).toBe(404);
    browser.assertNoPageErrors();
  }, 60_000);
});
