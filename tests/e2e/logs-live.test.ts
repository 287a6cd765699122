// The Logs page's "Live" time choice in a real browser: a container's lines appear as it prints
// them, with its name, level badges and the search highlighted; pause holds the view still and
// resume catches up; the live span links to the persisted history.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { removeTestContainers } from "../setup/docker";
import { runContainer } from "../setup/containers";
import { ADMIN, setUpServer, startServer, type TestServer } from "../setup/server";
import { openBrowser, waitForHydration, type TestBrowser } from "./browser";

const RUN_ID = `e2e-ll-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ env: { DOCKER_HOST: dockerHost, LOGS_PERSIST: "false" } }), openBrowser()]);
  await setUpServer(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
  await removeTestContainers(dockerHost, RUN_ID);
});

describe("live logs in a browser", () => {
  test("lines appear live with source, level and highlight; pause holds, resume catches up", async () => {
    const name = `${RUN_ID}-ticker`;
    const id = await runContainer(dockerHost, RUN_ID, name, [
      "sh",
      "-c",
      "trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo hello-live-$i; if [ $i = 3 ]; then echo 'ERROR e2e-fail' >&2; fi; sleep 0.3; done",
    ]);
    const page = await browser.newPage(server.url);
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL("**/dashboard");

    await page.goto(`/logs?range=live&containerId=${id}`);
    await waitForHydration(page);
    const rows = page.getByTestId("live-log-row");
    const failing = rows.filter({ hasText: "ERROR e2e-fail" });
    await failing.first().waitFor({ timeout: 15_000 });
    await expect(failing.first().textContent()).resolves.toContain(name);
    await expect(failing.first().textContent()).resolves.toContain("error");
    await rows.filter({ hasText: "hello-live-8" }).first().waitFor({ timeout: 15_000 });

    await page.getByRole("button", { name: "Pause" }).click();
    const held = await rows.count();
    await page.waitForTimeout(1_200);
    expect(await rows.count()).toBe(held);
    await page.getByRole("button", { name: "Resume" }).click();
    await expect.poll(() => rows.count(), { timeout: 5_000 }).toBeGreaterThan(held);
    const history = await page.getByRole("link", { name: "Open this span in history" }).getAttribute("href");
    expect(history).toMatch(/range=custom/);

    // A text search filters the live view and marks the match.
    await page.goto(`/logs?range=live&containerId=${id}&q=live-1`);
    await waitForHydration(page);
    await rows.filter({ hasText: "hello-live-10" }).first().waitFor({ timeout: 15_000 });
    expect(await rows.filter({ hasText: "ERROR" }).count()).toBe(0);
    await expect(rows.first().locator("mark").first().textContent()).resolves.toBe("live-1");
    await page.close();
  });
});
