// Images, Volumes and Networks in a real browser against the production server, a private Docker
// engine of this file's own (removing and pruning must not touch other tests' objects) and a real
// registry on loopback: pull with progress, remove through the confirmation, create a network with
// a field error first. Each page is saved as light/dark, desktop/phone screenshots.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { docker, TEST_IMAGE } from "../setup/docker";
import { IDLE, PrivateDockerd } from "../setup/containers";
import { TestRegistry } from "../setup/registry";
import { setUpServer, startServer, type TestServer } from "../setup/server";
import { artifactPath, logIn, openBrowser, waitForHydration, type TestBrowser } from "./browser";

const SCRIPT = fileURLToPath(new URL("../../scripts/docker-test-env.sh", import.meta.url));
const engine = new PrivateDockerd();
const registry = new TestRegistry();
let server: TestServer;
let browser: TestBrowser;
const d = (args: string[]) => docker(engine.dockerHost, args, 120_000).then((out) => out.trim());

beforeAll(async () => {
  await Promise.all([engine.start(), registry.start()]);
  await new Promise<void>((resolve, reject) =>
    execFile("bash", [SCRIPT, "image"], { env: { ...process.env, DOCKER_HOST: engine.dockerHost }, timeout: 120_000 }, (error) => (error ? reject(error) : resolve())),
  );
  [server, browser] = await Promise.all([startServer({ env: { DOCKER_HOST: engine.dockerHost } }), openBrowser()]);
  await setUpServer(server);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
  await engine.destroy();
  await registry.destroy();
});

async function loggedInPage(path: string): Promise<Page> {
  const page = await browser.newPage(server.url);
  await logIn(page);
  await page.goto(path);
  await waitForHydration(page);
  return page;
}

/** Light and dark, desktop and phone, of the page as it is now. */
async function screenshots(page: Page, name: string): Promise<void> {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // The "system" theme is settled when the page loads.
    await page.reload();
    await waitForHydration(page);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: artifactPath(`${name}-desktop-${scheme}.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: artifactPath(`${name}-phone-${scheme}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
}

describe("Docker objects in a browser", () => {
  test("images: pull by name with progress, the image is listed, then removed through the confirmation", async () => {
    const reference = `${registry.host}/e2e/tool:1.0`;
    // An image of its own (one file), so removing it leaves the test image alone.
    const dir = mkdtempSync(join(tmpdir(), "e2e-img-"));
    writeFileSync(join(dir, "hello.txt"), "hello from the registry\n");
    await new Promise<void>((resolve, reject) => execFile("tar", ["-C", dir, "-cf", `${dir}.tar`, "hello.txt"], (e) => (e ? reject(e) : resolve())));
    await d(["import", `${dir}.tar`, reference]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.tar`, { force: true });
    await d(["push", reference]);
    await d(["rmi", reference]);
    await d(["run", "-d", "--name", "e2e-web", TEST_IMAGE, ...IDLE]);

    const page = await loggedInPage("/containers");
    await page.getByRole("navigation", { name: "Docker sections" }).getByRole("link", { name: "Images" }).click();
    await page.waitForURL("**/images");
    await waitForHydration(page);
    // The test image is in use by e2e-web: its row says so, and offers a forced removal only.
    const used = page.locator(`[data-testid="image-row"][data-name="${TEST_IMAGE}"]`);
    await expect(used.getByTestId("used-by").textContent()).resolves.toContain("e2e-web");

    await page.getByLabel("Image reference").fill("Not A Reference!");
    await page.getByRole("button", { name: "Pull", exact: true }).click();
    await page.getByTestId("pull-status").getByRole("alert").waitFor();
    await expect(page.getByTestId("pull-status").textContent()).resolves.toMatch(/no spaces|lowercase|Not an image reference/);

    await page.getByLabel("Image reference").fill(reference);
    await page.getByRole("button", { name: "Pull", exact: true }).click();
    await page.getByTestId("pull-status").filter({ hasText: `Pulled ${reference}` }).waitFor({ timeout: 30_000 });
    const row = page.locator(`[data-testid="image-row"][data-name="${reference}"]`);
    await row.waitFor();
    await expect(row.getByText("unused").count()).resolves.toBe(1);
    await screenshots(page, "images");

    await row.getByRole("button", { name: `Remove ${reference}` }).click();
    await page.getByRole("dialog", { name: `Remove ${reference}?` }).getByRole("button", { name: "Remove", exact: true }).click();
    await page.getByText(/Image removed/).waitFor();
    await expect(row.count()).resolves.toBe(0);
    expect(await d(["images", "-q", reference])).toBe("");
    browser.assertNoPageErrors();
  });

  test("volumes: which container uses each; an unused named volume is removed after typing its name", async () => {
    await d(["volume", "create", "e2e-old-data"]);
    await d(["run", "-d", "--name", "e2e-db", "-v", "e2e-db-data:/data", TEST_IMAGE, ...IDLE]);
    const page = await loggedInPage("/volumes");
    const usedRow = page.locator('[data-testid="volume-row"][data-name="e2e-db-data"]');
    await expect(usedRow.getByTestId("used-by").textContent()).resolves.toContain("e2e-db");
    await expect(usedRow.getByText("In use").count()).resolves.toBe(1);
    await screenshots(page, "volumes");

    const old = page.locator('[data-testid="volume-row"][data-name="e2e-old-data"]');
    await old.getByRole("button", { name: "Remove e2e-old-data" }).click();
    const dialog = page.getByRole("dialog", { name: "Remove e2e-old-data?" });
    const confirm = dialog.getByRole("button", { name: "Remove", exact: true });
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await dialog.getByLabel(/Type e2e-old-data to confirm/).fill("e2e-old-data");
    await confirm.click();
    await page.getByText("Volume e2e-old-data was removed.").waitFor();
    await expect(old.count()).resolves.toBe(0);
    browser.assertNoPageErrors();
  });

  test("networks: a bad subnet is shown beside its field; the fixed form creates the network; built-in ones cannot be removed", async () => {
    const page = await loggedInPage("/networks");
    await expect(page.locator('[data-testid="network-row"][data-name="host"]').getByText("Engine's own").count()).resolves.toBe(1);
    await page.getByText("Create a network").click();
    await page.getByLabel("Name").fill("e2e-backend");
    await page.getByLabel("Subnet (optional)").fill("10.77.0.9/24");
    await page.getByRole("button", { name: "Create network" }).click();
    await page.getByText("Host bits are set: the network address is 10.77.0.0/24.").waitFor();
    await page.getByLabel("Subnet (optional)").fill("10.77.0.0/24");
    await page.getByRole("button", { name: "Create network" }).click();
    await page.getByText("Network e2e-backend was created.").waitFor();
    const row = page.locator('[data-testid="network-row"][data-name="e2e-backend"]');
    await expect(row.textContent()).resolves.toContain("10.77.0.0/24");
    await expect(page.getByLabel("Name").inputValue()).resolves.toBe("");

    await d(["run", "-d", "--name", "e2e-api", "--network", "e2e-backend", TEST_IMAGE, ...IDLE]);
    await page.reload();
    await waitForHydration(page);
    await expect(row.getByTestId("used-by").textContent()).resolves.toMatch(/e2e-api.*10\.77\.0\.\d+/);
    await screenshots(page, "networks");

    await d(["rm", "-f", "e2e-api"]);
    await page.reload();
    await waitForHydration(page);
    await row.getByRole("button", { name: "Remove e2e-backend" }).click();
    await page.getByRole("dialog", { name: "Remove e2e-backend?" }).getByRole("button", { name: "Remove", exact: true }).click();
    await page.getByText("The network was removed.").waitFor();
    await expect(row.count()).resolves.toBe(0);
    browser.assertNoPageErrors();
  });
});
