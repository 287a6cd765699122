// Alerts in a real browser: add a webhook channel, press "Send test" and see it succeed; add a
// crash rule, crash a container, find the alert in the history; the health page shows its rings.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import type { Page } from "playwright-core";
import { removeTestContainers } from "../setup/docker";
import { runContainer } from "../setup/containers";
import { ADMIN, setUpServer, startServer, type TestServer } from "../setup/server";
import { startReceivers, type Receivers } from "../integration/alert-receivers";
import { openBrowser, waitForHydration, type TestBrowser } from "./browser";

const RUN_ID = `e2ealert-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
let server: TestServer;
let browser: TestBrowser;
let rx: Receivers;

beforeAll(async () => {
  rx = await startReceivers();
  [server, browser] = await Promise.all([startServer({ env: { DOCKER_HOST: dockerHost, ALERTS_ALLOWED_HOSTS: `127.0.0.1:${rx.httpPort}`, NGINX_MODE: "off" } }), openBrowser()]);
  await setUpServer(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rx?.close();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
  await removeTestContainers(dockerHost, RUN_ID);
});

async function loggedInPage(): Promise<Page> {
  const page = await browser.newPage(server.url);
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL("**/dashboard");
  return page;
}

describe("alerts in a browser", () => {
  test("create a webhook channel, send a test, add a crash rule, see a crash in the history", async () => {
    const page = await loggedInPage();
    await page.goto("/alerts?tab=channels");
    await waitForHydration(page);
    const form = page.getByRole("form", { name: "Add a channel" });
    await form.getByLabel("Name").fill("Ops hook");
    await form.getByLabel("Type").selectOption("webhook");
    await form.getByLabel("URL").fill(`http://127.0.0.1:${rx.httpPort}/e2e`);
    await form.getByRole("button", { name: "Add channel" }).click();
    await page.getByRole("status").filter({ hasText: "Channel Ops hook was added." }).waitFor();

    const row = page.locator('[data-testid="channel-row"][data-name="Ops hook"]');
    await row.getByRole("button", { name: "Send test" }).click();
    await row.getByRole("status").filter({ hasText: "Test notification sent through Ops hook." }).waitFor();
    expect(rx.requests.filter((r) => r.path === "/e2e")).toHaveLength(1);

    await page.getByRole("link", { name: "Rules" }).click();
    await page.waitForURL("**/alerts?tab=rules");
    const ruleForm = page.getByRole("form", { name: "Add a rule" });
    await ruleForm.getByLabel("Name").fill("Crashes");
    await ruleForm.getByLabel("When", { exact: true }).selectOption("container_crash");
    await ruleForm.getByLabel("Applies to").selectOption("namePattern");
    await ruleForm.getByLabel("Scope value").fill(`${RUN_ID}-*`);
    await ruleForm.getByRole("button", { name: "Add rule" }).click();
    await page.getByRole("status").filter({ hasText: "Rule Crashes was added." }).waitFor();

    const name = `${RUN_ID}-boom`;
    await runContainer(dockerHost, RUN_ID, name, ["sh", "-c", "exit 2"]);
    await rx.waitFor(() => rx.requests.filter((r) => r.path === "/e2e"), (l) => l.length === 2, 10_000);

    await page.goto("/alerts?tab=history");
    const alert = page.locator(`[data-testid="alert-row"][data-target="${name}"]`);
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/crashed: exited with code 2/);
    await expect(alert.textContent()).resolves.toMatch(/✓ Ops hook/);
    await waitForHydration(page);
    await alert.getByRole("button", { name: "Acknowledge" }).click();
    await alert.getByText("Acknowledged").waitFor();
    browser.assertNoPageErrors();
  });

  test("the health page shows a ring per area with its reasons", async () => {
    const page = await loggedInPage();
    await page.goto("/health");
    await page.getByTestId("health-docker").waitFor();
    await expect(page.getByTestId("health-docker").getAttribute("data-status")).resolves.toBe("ok");
    await expect(page.getByTestId("health-database").textContent()).resolves.toMatch(/Answers in [\d.]+ ms/);
    await expect(page.getByRole("img", { name: /^Overall health: \d+ of 100/ }).count()).resolves.toBe(1);
    browser.assertNoPageErrors();
  });
});
