// Proxies in a real browser against the production server and a real nginx on loopback: create a
// proxy host through the form, watch it go live ("ok"), see its upstream reported reachable, and
// request it through nginx with its Host header to get the upstream's body.
import { rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createConnection } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { freePort } from "../setup/postgres";
import { memberClient, setUpServer, startServer, type Client, type TestServer } from "../setup/server";
import type { Page } from "playwright-core";
import { artifactPath, openBrowser, waitForHydration, type TestBrowser, logIn } from "./browser";
import { viaNginx, stopNginxOf } from "../setup/nginx";

let server: TestServer;
let browser: TestBrowser;
let upstream: Server;
let upstreamPort: number;
let httpPort: number;
let admin: Client;

beforeAll(async () => {
  upstreamPort = await freePort();
  upstream = createServer((_req, res) => res.end("hello from the e2e upstream"));
  await new Promise<void>((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
  httpPort = await freePort();
  const env = { NGINX_BIN: "/usr/sbin/nginx", NGINX_HTTP_PORT: String(httpPort), NGINX_HTTPS_PORT: String(await freePort()), NGINX_LISTEN_ADDRESS: "127.0.0.1" };
  [server, browser] = await Promise.all([startServer({ env }), openBrowser()]);
  admin = await setUpServer(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) stopNginxOf(server.dataDir);
  upstream?.close();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

/** Raw bytes nginx sends for an unknown host before closing (0 when the default site closes the connection). */
function rawBytes(host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port: httpPort });
    let text = "";
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer and no close within 10 s")));
    socket.on("connect", () => socket.write(`GET /x HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    socket.on("data", (d) => (text += d.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => resolve(text));
  });
}

async function loggedInPage(options: Parameters<TestBrowser["newPage"]>[1] = {}) {
  const page = await browser.newPage(server.url, options);
  await logIn(page);
  return page;
}

/** Clicks a submit button of the Proxies page and waits for the action, which answers only once nginx has been re-applied. */
async function submit(page: Page, button: ReturnType<Page["getByRole"]>) {
  const posted = page.waitForResponse((r) => r.request().method() === "POST" && /^\/proxies(\.data)?$/.test(new URL(r.url()).pathname));
  await button.click();
  expect((await posted).status()).toBeLessThan(400);
}

/** Saves the default-site form. */
async function save(page: Page) {
  await submit(page, page.getByTestId("default-site-form").getByRole("button", { name: "Save and apply" }));
  await page.getByText("Default site saved and applied.").waitFor();
}

describe("proxies in a browser", () => {
  test("a host created through the form goes live and nginx serves its upstream", async () => {
    const page = await browser.newPage(server.url);
    await logIn(page);
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

  test("the default site for unknown hosts is switched on the page: redirect, then close, then 404", async () => {
    const page = await loggedInPage();
    await page.goto("/proxies");
    await waitForHydration(page);
    const form = page.getByTestId("default-site-form");
    await form.getByLabel(/^Redirect/).check();
    // Refused on the server with the message at the field.
    await form.getByLabel("Redirect unknown hosts to").fill("https://example.com/a{b}");
    await form.getByRole("button", { name: "Save and apply" }).click();
    await form.getByText("Use an http(s) URL without spaces, quotes, ;, {, } or $.").waitFor();
    await expect(form.getByLabel("Redirect unknown hosts to").getAttribute("aria-invalid")).resolves.toBe("true");
    await form.getByLabel("Redirect unknown hosts to").fill("https://www.example.com/");
    await save(page);
    const redirect = await rawBytes("stranger.test");
    expect(redirect).toMatch(/^HTTP\/1\.1 302 /);
    expect(redirect).toMatch(/\r\nLocation: https:\/\/www\.example\.com\/\r\n/i);

    await waitForHydration(page);
    await page.getByTestId("default-site-form").getByLabel(/^Close the connection/).check();
    await save(page);
    expect(await rawBytes("stranger.test")).toBe("");

    await waitForHydration(page);
    await page.getByTestId("default-site-form").getByLabel(/^404 page/).check();
    await save(page);
    expect((await viaNginx(httpPort, "stranger.test")).status).toBe(404);
    expect(await viaNginx(httpPort, "e2e.test")).toEqual({ status: 200, body: "hello from the e2e upstream" });
    browser.assertNoPageErrors();
  });

  test("every option of a host survives an edit through the form unchanged", async () => {
    const agentId = (await (await admin.request("/api/v1/agents")).json()).items[0].id as string;
    const body = {
      kind: "proxy",
      domains: ["roundtrip.test", "www.roundtrip.test"],
      upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort },
      websockets: true,
      http2: true,
      blockExploits: false,
      gzip: true,
      clientMaxBodySizeMb: 25,
      rateLimit: { requestsPerSecond: 5, burst: 10 },
      headers: { csp: "default-src 'self'", frameOptions: "SAMEORIGIN", referrerPolicy: "origin-when-cross-origin", permissionsPolicy: "camera=()", contentTypeOptions: true },
    };
    const created = await (await admin.post(`/api/v1/agents/${agentId}/proxies`, body)).json();
    expect(created.status.state).toBe("ok");
    const page = await loggedInPage();
    await page.goto(`/proxies?edit=${created.id}`);
    await waitForHydration(page);
    await page.getByText("Edit roundtrip.test").waitFor();
    await expect(page.locator('[data-testid="proxy-row"][data-domain="roundtrip.test"] [data-testid="host-options"]').textContent()).resolves.toBe(
      "WebSockets · gzip · 5 req/s (burst 10) · HTTP/2 · headers: CSP, X-Frame-Options, Referrer-Policy, Permissions-Policy, nosniff",
    );
    await submit(page, page.getByRole("button", { name: "Save and apply" }).first());
    await page.getByText(/roundtrip\.test (is live|was saved; nginx is reloading)/).waitFor();
    await page.screenshot({ path: artifactPath("proxies-desktop-light.png"), fullPage: true });
    const after = await (await admin.request(`/api/v1/agents/${agentId}/proxies/${created.id}`)).json();
    const strip = (h: Record<string, unknown>) => ({ ...h, status: undefined, updatedAt: undefined });
    expect(strip(after)).toEqual(strip(created));
    expect(await viaNginx(httpPort, "www.roundtrip.test")).toEqual({ status: 200, body: "hello from the e2e upstream" });
    browser.assertNoPageErrors();
  });

  test("an admin saving a host with advanced directives through the form keeps them without ever seeing them", async () => {
    const agentId = (await (await admin.request("/api/v1/agents")).json()).items[0].id as string;
    const directive = 'proxy_set_header X-Upstream-Key "e2e-adv-secret";';
    const created = await (await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["adv-e2e.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort }, advanced: directive })).json();
    const plain = { email: "plain-admin-e2e@example.com", password: "a long enough test password" };
    await memberClient(server, admin, { ...plain, name: "Plain Admin", role: "admin" });

    const page = await browser.newPage(server.url);
    await logIn(page, plain);
    await page.goto(`/proxies?edit=${created.id}`);
    await waitForHydration(page);
    await page.getByText("This host has advanced directives (visible to super admins). Saving this form keeps them.").waitFor();
    expect(await page.content()).not.toContain("e2e-adv-secret");
    await page.getByLabel("WebSockets").check();
    await submit(page, page.getByRole("button", { name: "Save and apply" }).first());
    await page.getByText(/adv-e2e\.test (is live|was saved; nginx is reloading)/).waitFor();

    const after = await (await admin.request(`/api/v1/agents/${agentId}/proxies/${created.id}`)).json();
    expect(after).toMatchObject({ websockets: true, advanced: directive, hasAdvanced: true });
    browser.assertNoPageErrors();
  });

  test("a container target keeps its container through an edit; the picker is offered", async () => {
    const agentId = (await (await admin.request("/api/v1/agents")).json()).items[0].id as string;
    const created = await (await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["boxed.test"], upstream: { containerId: "shop-web", port: 8080 } })).json();
    const page = await loggedInPage();
    await page.goto(`/proxies?edit=${created.id}`);
    await waitForHydration(page);
    await expect(page.locator('[data-testid="proxy-row"][data-domain="boxed.test"]').textContent()).resolves.toContain("container shop-web:8080");
    await expect(page.getByLabel("Container", { exact: true }).inputValue()).resolves.toBe("shop-web");
    await expect(page.getByLabel("Port", { exact: true }).inputValue()).resolves.toBe("8080");
    await expect(page.getByTestId("container-picker").isVisible()).resolves.toBe(true);
    await submit(page, page.getByRole("button", { name: "Save and apply" }).first());
    const after = await (await admin.request(`/api/v1/agents/${agentId}/proxies/${created.id}`)).json();
    expect(after.upstream).toEqual({ containerId: "shop-web", port: 8080 });
    // Switching to an address target replaces the container.
    await page.goto(`/proxies?edit=${created.id}`);
    await waitForHydration(page);
    await page.getByRole("button", { name: "Use an address" }).click();
    await page.getByLabel("Upstream host").fill("127.0.0.1");
    await page.getByLabel("Port", { exact: true }).fill(String(upstreamPort));
    await submit(page, page.getByRole("button", { name: "Save and apply" }).first());
    // The row was already ok before this edit: wait for the new target to be the one that is ok.
    await page.locator('[data-testid="proxy-row"][data-domain="boxed.test"][data-state="ok"]', { hasText: `127.0.0.1:${upstreamPort}` }).waitFor();
    expect((await (await admin.request(`/api/v1/agents/${agentId}/proxies/${created.id}`)).json()).upstream).toEqual({ scheme: "http", host: "127.0.0.1", port: upstreamPort });
    expect(await viaNginx(httpPort, "boxed.test")).toEqual({ status: 200, body: "hello from the e2e upstream" });
    browser.assertNoPageErrors();
  });

  test("on a phone in dark mode: hosts stack as cards, nothing overflows, delete asks first", async () => {
    const page = await loggedInPage({ viewport: { width: 390, height: 844 }, colorScheme: "dark", isMobile: true, hasTouch: true });
    for (const path of ["/proxies", "/access-lists", "/certificates"]) {
      await page.goto(path);
      await waitForHydration(page);
      await expect(page.evaluate(() => document.documentElement.classList.contains("dark"))).resolves.toBe(true);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
      await page.screenshot({ path: artifactPath(`proxies-phone-dark${path.replace(/\//g, "-")}.png`), fullPage: true });
    }
    await page.goto("/proxies");
    await waitForHydration(page);
    const row = page.locator('[data-testid="proxy-row"][data-domain="e2e.test"]');
    // The column header row is hidden on a phone; each host is a block of its own.
    await expect(page.locator("thead").first().isVisible()).resolves.toBe(false);
    await expect(row.evaluate((el) => getComputedStyle(el).display)).resolves.toBe("flex");
    await row.getByRole("button", { name: "Delete e2e.test" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete e2e.test?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await viaNginx(httpPort, "e2e.test")).toEqual({ status: 200, body: "hello from the e2e upstream" });
    await row.getByRole("button", { name: "Delete e2e.test" }).click();
    await dialog.getByRole("button", { name: "Delete host" }).click();
    await row.waitFor({ state: "detached" });
    expect((await viaNginx(httpPort, "e2e.test")).status).toBe(404);
    browser.assertNoPageErrors();
  });
});
