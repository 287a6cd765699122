// The status page editor's custom domain field in a real browser (decision 140), against the
// production server driving a real nginx and pebble on loopback: a bad name is refused on its
// field, a good one is saved, the editor follows the certificate from "Getting a certificate" to
// "Served at https://…" by itself, and nginx serves the page on that name. Screenshots (light and
// dark, desktop and phone) go to /tmp/shots-monitors-finish/.
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { stopNginxOf, viaNginx } from "../setup/nginx";
import { startPebble, type Pebble } from "../setup/pebble";
import { freePort } from "../setup/postgres";
import { setUpServer, startServer, type Client, type TestServer } from "../setup/server";
import { logIn, openBrowser, waitForHydration, type TestBrowser } from "./browser";

const SHOTS = "/tmp/shots-monitors-finish";
let pebble: Pebble;
let server: TestServer;
let browser: TestBrowser;
let admin: Client;
let httpPort: number;

beforeAll(async () => {
  httpPort = await freePort();
  const httpsPort = await freePort();
  pebble = await startPebble({ httpPort });
  [server, browser] = await Promise.all([
    startServer({
      env: {
        NGINX_BIN: "/usr/sbin/nginx",
        NGINX_HTTP_PORT: String(httpPort),
        NGINX_HTTPS_PORT: String(httpsPort),
        NGINX_LISTEN_ADDRESS: "127.0.0.1",
        ACME_DIRECTORY_URL: pebble.directoryUrl,
        NODE_EXTRA_CA_CERTS: pebble.tlsCaFile,
      },
    }),
    openBrowser(),
  ]);
  admin = await setUpServer(server);
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) stopNginxOf(server.dataDir);
  await pebble?.stop();
});

describe("Status page custom domain", () => {
  test("a bad name is refused on its field; a good one is served with a certificate, shown live in the editor", async () => {
    expect((await admin.post("/api/v1/monitors", { name: "Checkout", type: "push", intervalSeconds: 86_400 })).status).toBe(201);
    expect((await admin.post("/api/v1/status-pages", { slug: "shop", title: "Shop status" })).status).toBe(201);

    const page = await browser.newPage(server.url);
    await logIn(page);
    await page.goto("/monitors");
    await waitForHydration(page);
    await page.getByRole("link", { name: "Edit the status page shop" }).click();
    await page.waitForURL(/\?page=/);
    const editor = page.locator("#status-page-editor");
    const settings = editor.getByRole("form", { name: "Status page settings" });
    await settings.getByLabel("Custom domain").waitFor();

    await settings.getByLabel("Custom domain").fill("status shop.test");
    await settings.getByRole("button", { name: "Save status page" }).click();
    await settings.getByText(/is not a domain name/).waitFor();
    expect(await settings.getByLabel("Custom domain").getAttribute("aria-invalid")).toBe("true");

    await settings.getByLabel("Custom domain").fill("status.shop.test");
    await settings.getByRole("button", { name: "Save status page" }).click();
    await page.getByText("The status page /status/shop was saved.").waitFor();
    // The editor re-reads while the certificate is pending, and ends on the served state.
    await editor.getByText("Served at").waitFor({ timeout: 90_000 });
    expect(await editor.getByRole("link", { name: "https://status.shop.test" }).count()).toBe(1);
    expect(await settings.getByLabel("Custom domain").inputValue()).toBe("status.shop.test");
    expect((await viaNginx(httpPort, "status.shop.test", "/status/shop")).body).toContain("Shop status");

    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.reload();
      await page.setViewportSize({ width: 1280, height: 900 });
      await editor.getByText("Served at").waitFor();
      await settings.screenshot({ path: `${SHOTS}/status-domain-desktop-${scheme}.png` });
      await page.setViewportSize({ width: 390, height: 844 });
      await settings.screenshot({ path: `${SHOTS}/status-domain-phone-${scheme}.png` });
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    // Taken by one of the organization's proxy hosts: the field says so.
    const agentId = ((await (await admin.request("/api/v1/agents")).json()) as { items: { id: string }[] }).items[0]!.id;
    expect((await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["app.shop.test"], upstream: { scheme: "http", host: "127.0.0.1", port: 9 } })).status).toBe(201);
    await settings.getByLabel("Custom domain").fill("app.shop.test");
    await settings.getByRole("button", { name: "Save status page" }).click();
    await settings.getByText("One of your proxy hosts serves this name.").waitFor();
    await settings.screenshot({ path: `${SHOTS}/status-domain-taken-desktop.png` });
    browser.assertNoPageErrors();
  }, 180_000);
});
