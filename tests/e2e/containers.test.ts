// Containers in a real browser against the production server and the test Docker engine: one
// table with stack group rows, sorting, bulk and stack operations; a stop runs in the background
// (the dialog closes at once, the row shows it, a toast says when it is done or why it failed);
// open a terminal, run `echo hello`, see `hello`. Screenshots light/dark, desktop/phone.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import type { Page } from "playwright-core";
import { docker, removeTestContainers, TEST_IMAGE, TEST_LABEL } from "../setup/docker";
import { localAgentId, runContainer } from "../setup/containers";
import { setUpServer, startServer, type TestServer } from "../setup/server";
import { artifactPath, openBrowser, waitForHydration, type TestBrowser, logIn } from "./browser";

const RUN_ID = `e2e-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
let server: TestServer;
let browser: TestBrowser;
let agentId: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ env: { DOCKER_HOST: dockerHost } }), openBrowser()]);
  agentId = await localAgentId(await setUpServer(server));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
  await removeTestContainers(dockerHost, RUN_ID);
});

/** Ignores SIGTERM: `docker stop` waits its whole 10 s timeout, then kills it. */
const STUBBORN = ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"];

async function loggedInPage(options: Parameters<TestBrowser["newPage"]>[1] = {}): Promise<Page> {
  const page = await browser.newPage(server.url, options);
  await logIn(page);
  return page;
}

describe("containers in a browser", () => {
  test("a stop runs in the background: the dialog closes at once, the row shows it, a toast says when it is done", async () => {
    const name = `${RUN_ID}-web`;
    await runContainer(dockerHost, RUN_ID, name, STUBBORN);
    const page = await loggedInPage();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Containers" }).click();
    await page.waitForURL("**/containers");
    await waitForHydration(page);
    await page.getByLabel("Filter by name or image").fill(RUN_ID);

    const row = page.locator(`[data-testid="container-row"][data-name="${name}"]`);
    await expect(row.getByTestId("container-state").textContent()).resolves.toBe("running");
    await row.getByRole("button", { name: `Stop ${name}` }).click();
    const dialog = page.getByRole("dialog", { name: `Stop ${name}?` });
    await dialog.getByRole("button", { name: "Stop", exact: true }).click();
    // Docker is still waiting out the stop timeout: the dialog is gone and the row says so.
    await page.locator(`[data-testid="container-row"][data-name="${name}"][data-pending="stop"]`).waitFor();
    await expect(dialog.isVisible()).resolves.toBe(false);
    await expect(row.getByTestId("container-state").textContent()).resolves.toBe("running");
    await row.getByText("Stopping…").waitFor();
    // The page stays usable meanwhile.
    await page.getByLabel("Filter by name or image").fill(name);
    await expect(page.getByLabel("Filter by name or image").inputValue()).resolves.toBe(name);

    await page.getByRole("status").filter({ hasText: `${name} stopped.` }).waitFor({ timeout: 45_000 });
    await page.locator(`[data-testid="container-row"][data-name="${name}"][data-state="exited"][data-pending=""]`).waitFor();

    // A container started outside InfraPilot appears without a reload (Docker events → socket).
    await page.getByLabel("Filter by name or image").fill(RUN_ID);
    const late = `${RUN_ID}-late`;
    await runContainer(dockerHost, RUN_ID, late);
    await page.locator(`[data-testid="container-row"][data-name="${late}"][data-state="running"]`).waitFor({ timeout: 15_000 });
    browser.assertNoPageErrors();
  });

  test("a failed start is reported in a toast with Docker's reason", async () => {
    const name = `${RUN_ID}-broken`;
    // Created, never started: its command does not exist in the image.
    await docker(dockerHost, ["create", "--name", name, "--label", `${TEST_LABEL}=${RUN_ID}`, TEST_IMAGE, "/no/such/program"]);
    const page = await loggedInPage();
    await page.goto(`/containers?q=${encodeURIComponent(name)}`);
    await waitForHydration(page);
    const row = page.locator(`[data-testid="container-row"][data-name="${name}"]`);
    await expect(row.getByTestId("container-state").textContent()).resolves.toBe("created");
    await row.getByRole("button", { name: `Start ${name}` }).click();
    const toast = page.getByRole("alert").filter({ hasText: `Could not start ${name}.` });
    await toast.waitFor({ timeout: 30_000 });
    await expect(toast.textContent()).resolves.toMatch(/Docker could not start the container: .*(no such file|not found|executable)/i);
    // Errors stay until dismissed.
    await toast.getByRole("button", { name: "Dismiss" }).click();
    await toast.waitFor({ state: "detached" });
    await page.locator(`[data-testid="container-row"][data-name="${name}"][data-pending=""]`).waitFor();
    // Chromium itself logs the refused request (409); nothing else went wrong on the page.
    expect(browser.pageErrors()).toEqual([expect.stringMatching(/Failed to load resource: the server responded with a status of 409/)]);
    expect(() => browser.assertNoPageErrors()).toThrow(/409/);
  });

  test("one table: stack group rows that collapse, sorting, uptimes that tick, bulk and stack operations", async () => {
    const stack = `${RUN_ID}-shop`.replace(/[^a-z0-9-]/g, "");
    const inStack = (n: string) => ["--label", `com.docker.compose.project=${stack}`, "--label", `com.docker.compose.service=${n}`];
    await Promise.all([
      runContainer(dockerHost, RUN_ID, `${RUN_ID}-api`, undefined, inStack("api")),
      runContainer(dockerHost, RUN_ID, `${RUN_ID}-db`, undefined, inStack("db")),
      runContainer(dockerHost, RUN_ID, `${RUN_ID}-lone`),
    ]);
    const page = await loggedInPage();
    await page.goto(`/containers?q=${encodeURIComponent(RUN_ID)}`);
    await waitForHydration(page);
    const rows = page.locator('[data-testid="container-row"]');
    await page.locator(`[data-testid="container-row"][data-name="${RUN_ID}-lone"]`).waitFor();
    // Everything is in one table: the columns line up across stacks.
    await expect(page.locator("table").count()).resolves.toBe(1);
    const group = page.locator(`[data-testid="stack-group"][data-stack="${stack}"]`);
    await expect(group.textContent()).resolves.toContain("2 of 2 running");
    await expect(page.locator('[data-testid="stack-group"]').last().getAttribute("data-stack")).resolves.toBe("");
    const names = () => rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-name")).filter((n) => n?.endsWith("-api") || n?.endsWith("-db")));
    await expect(names()).resolves.toEqual([`${RUN_ID}-api`, `${RUN_ID}-db`]);
    await page.getByRole("columnheader", { name: "Name" }).getByRole("button").click();
    await expect(page.getByRole("columnheader", { name: "Name" }).getAttribute("aria-sort")).resolves.toBe("descending");
    await expect.poll(names).toEqual([`${RUN_ID}-db`, `${RUN_ID}-api`]);

    // Docker's "Up N seconds" keeps ticking on the page.
    const status = page.locator(`[data-testid="container-row"][data-name="${RUN_ID}-lone"] [data-testid="container-status"]`);
    const first = await status.textContent();
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).not.toBe(first);
    expect(await status.textContent()).toMatch(/^Up \d+ (s|min)$/);

    // Collapse and expand the stack.
    await group.locator("button[aria-expanded]").click();
    await expect.poll(() => names()).toEqual([]);
    await group.locator("button[aria-expanded]").click();
    await expect.poll(() => names()).toHaveLength(2);

    await page.screenshot({ path: artifactPath("containers-desktop-light.png"), fullPage: true });

    // Bulk: tick the stack, stop both; one toast for the pair.
    await group.getByRole("checkbox", { name: `Select every container of stack ${stack}` }).check();
    const bulk = page.getByRole("toolbar", { name: "Selected containers" });
    await bulk.getByText("2 selected", { exact: true }).waitFor();
    await bulk.getByRole("button", { name: "Stop 2 selected containers" }).click();
    await page.getByRole("dialog", { name: "Stop 2 selected containers?" }).getByRole("button", { name: "Stop", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "2 containers stopped." }).waitFor({ timeout: 45_000 });
    await page.locator(`[data-testid="container-row"][data-name="${RUN_ID}-api"][data-state="exited"]`).waitFor();
    await page.locator(`[data-testid="container-row"][data-name="${RUN_ID}-db"][data-state="exited"]`).waitFor();
    await expect(page.locator(`[data-testid="container-row"][data-name="${RUN_ID}-lone"]`).getAttribute("data-state")).resolves.toBe("running");

    // The stack's own Start brings both back.
    await group.getByRole("button", { name: `Start stack ${stack}`, exact: true }).click();
    await page.getByRole("status").filter({ hasText: "2 containers started." }).waitFor({ timeout: 45_000 });
    await page.locator(`[data-testid="container-row"][data-name="${RUN_ID}-db"][data-state="running"]`).waitFor();
    await expect.poll(() => group.textContent()).toContain("2 of 2 running");
    browser.assertNoPageErrors();
  });

  test("the table reads on a phone and in dark mode", async () => {
    for (const [label, options] of [
      ["desktop-dark", { colorScheme: "dark" as const }],
      ["phone-light", { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: "light" as const }],
      ["phone-dark", { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: "dark" as const }],
    ] as const) {
      const page = await loggedInPage(options);
      await page.goto("/containers");
      await page.locator('[data-testid="container-row"]').first().waitFor();
      await waitForHydration(page);
      if (label.startsWith("phone")) {
        await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
        // The name comes first in a row's card, then its state.
        const row = page.locator('[data-testid="container-row"]').first();
        const [nameBox, stateBox] = await Promise.all([row.getByRole("link").boundingBox(), row.getByTestId("container-state").boundingBox()]);
        expect(nameBox!.y).toBeLessThan(stateBox!.y);
      }
      await page.screenshot({ path: artifactPath(`containers-${label}.png`), fullPage: true });
      await page.close();
    }
    browser.assertNoPageErrors();
  });

  test("the terminal tab runs `echo hello` in the container", async () => {
    const id = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-shell`);
    const page = await loggedInPage();
    await page.goto(`/containers/${agentId}/${id}?tab=terminal`);
    await waitForHydration(page);
    await page.getByRole("button", { name: "Connect" }).click();
    await expect(page.getByTestId("terminal-status").filter({ hasText: "Connected" }).waitFor()).resolves.toBeUndefined();
    await page.keyboard.type("echo hello\n");
    // xterm renders one element per row: the command's output is a row of its own.
    await page.waitForFunction(() => [...document.querySelectorAll(".xterm-rows > div")].some((row) => row.textContent?.trim() === "hello"), undefined, { timeout: 10_000 });
    browser.assertNoPageErrors();
  });
});
