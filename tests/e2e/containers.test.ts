// Containers in a real browser against the production server and the test Docker engine: stop a
// container through the confirmation dialog and watch its state change live; open its terminal,
// run `echo hello`, see `hello`.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import type { Page } from "playwright-core";
import { removeTestContainers } from "../setup/docker";
import { localAgentId, runContainer } from "../setup/containers";
import { setUpServer, startServer, type TestServer } from "../setup/server";
import { openBrowser, waitForHydration, type TestBrowser, logIn } from "./browser";

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

async function loggedInPage(): Promise<Page> {
  const page = await browser.newPage(server.url);
  await logIn(page);
  return page;
}

describe("containers in a browser", () => {
  test("stopping a container through the dialog changes its state live", async () => {
    const name = `${RUN_ID}-web`;
    await runContainer(dockerHost, RUN_ID, name);
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
    await page.locator(`[data-testid="container-row"][data-name="${name}"][data-state="exited"]`).waitFor();
    await expect(row.getByTestId("container-state").textContent()).resolves.toBe("exited");
    await expect(dialog.isVisible()).resolves.toBe(false);

    // A container started outside InfraPilot appears without a reload (Docker events → socket).
    const late = `${RUN_ID}-late`;
    await runContainer(dockerHost, RUN_ID, late);
    await page.locator(`[data-testid="container-row"][data-name="${late}"][data-state="running"]`).waitFor({ timeout: 15_000 });
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
