// The dashboard and the Health page in a real browser against the production server, with a live
// proxy host whose upstream is dead, a crashed container, a running one and two firing alerts.
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { IDLE, runContainer } from "../setup/containers";
import { removeTestContainers } from "../setup/docker";
import { stopNginxOf } from "../setup/nginx";
import { freePort } from "../setup/postgres";
import { seedTroubledWorkload } from "../setup/troubled-workload";
import { ADMIN, setUpServer, startServer, type TestServer } from "../setup/server";
import { logIn, openBrowser, waitForHydration, type TestBrowser } from "./browser";

const runId = `i20e2e-${randomUUID().slice(0, 8)}`;
const crashedName = `${runId}-crashed`;
const runningName = `${runId}-running`;
let server: TestServer;
let browser: TestBrowser;
let deadPort: number;

beforeAll(async () => {
  const env = {
    DOCKER_HOST: inject("dockerHost"),
    NGINX_BIN: "/usr/sbin/nginx",
    NGINX_HTTP_PORT: String(await freePort()),
    NGINX_HTTPS_PORT: String(await freePort()),
    NGINX_LISTEN_ADDRESS: "127.0.0.1",
  };
  [server, browser] = await Promise.all([startServer({ env }), openBrowser()]);
  const admin = await setUpServer(server);
  await runContainer(inject("dockerHost"), runId, runningName, IDLE);
  ({ deadPort } = await seedTroubledWorkload(server, admin, { runId, crashedName, domain: "shop.i20e2e.test", alertTargets: ["web-1", "web-2"] }));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await removeTestContainers(inject("dockerHost"), runId).catch(() => undefined);
  await server?.stop();
  if (server) {
    stopNginxOf(server.dataDir);
    rmSync(server.dataDir, { recursive: true, force: true });
  }
});

describe("Dashboard", () => {
  test("refuses the hard-coded 'No proxy hosts yet': the live host, the crash and the firing alerts are counted", async () => {
    const page = await browser.newPage(server.url);
    await logIn(page);
    const proxies = page.getByTestId("dashboard-proxies");
    await expect(proxies.getByTestId("stat-ok").getAttribute("data-value")).resolves.toBe("1");
    await proxies.getByText(`upstream 127.0.0.1:${deadPort} does not answer`).waitFor();
    expect(await page.getByText("arrive with the proxy module").count()).toBe(0);
    const containers = page.getByTestId("dashboard-containers");
    expect(Number(await containers.getByTestId("stat-crashed").getAttribute("data-value"))).toBeGreaterThanOrEqual(1);
    await containers.getByText(crashedName).waitFor();
    await containers.getByTestId("top-memory").getByText(runningName).waitFor();
    await expect(page.getByTestId("dashboard-alerts").getByTestId("stat-firing").getAttribute("data-value")).resolves.toBe("2");
    await page.getByTestId("dashboard-alerts").getByText("CPU over 90 %").first().waitFor();
    browser.assertNoPageErrors();
  });

  test("refuses raw UUIDs and wandering columns in recent activity: names, ids on hover, aligned cells, UTC", async () => {
    const page = await browser.newPage(server.url);
    await logIn(page);
    await waitForHydration(page);
    const rows = page.getByTestId("activity-row");
    // Logging in is a client-side navigation: the URL can change a moment before the new page renders.
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    const created = rows.filter({ hasText: "proxy" }).first();
    await created.getByText(ADMIN.name).waitFor();
    const target = created.getByTestId("activity-target").getByText("shop.i20e2e.test");
    expect(await target.getAttribute("title")).toMatch(/^proxy_host [0-9a-f-]{36}$/);
    await expect(created.getByRole("button", { name: /Copy the id of shop\.i20e2e\.test/ }).count()).resolves.toBe(1);
    expect(await page.getByTestId("recent-activity").getByText(/UTC/).count()).toBeGreaterThan(0);
    const lefts = await page.getByTestId("activity-actor").evaluateAll((cells) => cells.map((c) => Math.round(c.getBoundingClientRect().left)));
    expect(new Set(lefts).size).toBe(1);
    browser.assertNoPageErrors();
  });

  test("fits a phone: nothing scrolls sideways", async () => {
    const page = await browser.newPage(server.url, { viewport: { width: 390, height: 844 } });
    await logIn(page);
    await page.getByTestId("recent-activity").waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    browser.assertNoPageErrors();
  });
});

describe("Health page", () => {
  test("refuses 'Healthy' while alerts fire and an upstream is dead: the reasons are shown, the rings are one size", async () => {
    const page = await browser.newPage(server.url);
    await logIn(page);
    await page.goto("/health");
    await page.getByTestId("health-reasons").getByText("CPU over 90 % firing on web-1: cpu 97 % for 5 minutes").waitFor();
    expect(await page.getByTestId("health-alerts").getAttribute("data-status")).toBe("fail");
    expect(await page.getByTestId("health-proxies").getAttribute("data-status")).toBe("fail");
    await page.getByTestId("health-containers").getByText(`${crashedName}: crashed (exit code 3)`).waitFor();
    const sizes = await page.locator("[data-testid^='health-'] svg[role='img']").evaluateAll((rings) => rings.map((r) => `${Math.round(r.getBoundingClientRect().width)}x${Math.round(r.getBoundingClientRect().height)}`));
    expect(sizes.length).toBe(9);
    expect(new Set(sizes)).toEqual(new Set(["96x96"]));
    browser.assertNoPageErrors();
  });
});
