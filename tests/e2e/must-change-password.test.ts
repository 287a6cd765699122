// A user whose password an administrator set is kept on the change-password form in a real
// browser until they choose their own (docs/decisions/051), then gets the app.
import { rmSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setUpServer, startServer, type TestServer } from "../setup/server";
import { artifactPath, openBrowser, waitForHydration, type TestBrowser } from "./browser";

let server: TestServer;
let browser: TestBrowser;
const INITIAL = "the initial password from the admin";
const OWN = "pat's own long passphrase";

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), openBrowser()]);
  const api = await setUpServer(server);
  for (const email of ["pat@example.com", "pia@example.com"]) {
    const created = await api.post("/api/v1/users", { name: "Pat Newcomer", email, role: "operator", password: INITIAL });
    if (created.status !== 201) throw new Error(`creating ${email} failed: ${created.status} ${await created.text()}`);
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

async function logIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

describe("an admin-set password", () => {
  test("keeps the user on the change-password form until they choose their own password", { timeout: 90_000 }, async () => {
    const page = await browser.newPage(server.url);
    await logIn(page, "pat@example.com", INITIAL);
    await page.waitForURL("**/account?password=required");
    await expect(page.getByRole("alert").first().textContent()).resolves.toContain("Please choose a new password.");
    await expect(page.getByRole("link", { name: "API tokens" }).getAttribute("aria-disabled")).resolves.toBe("true");
    // No navigation is offered, and the other sessions cannot be revoked from here yet.
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link").count()).resolves.toBe(0);

    // Every other page sends them back.
    await page.goto("/containers");
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe("/account?password=required");

    await waitForHydration(page);
    await page.getByLabel("Current password").fill(INITIAL);
    await page.getByLabel("New password", { exact: true }).fill(OWN);
    await page.getByLabel("Repeat the new password").fill(OWN);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Password changed.").waitFor();
    await expect(page.getByText("Please choose a new password.").count()).resolves.toBe(0);

    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Containers" }).count()).resolves.toBe(1);
    await page.goto("/containers");
    expect(new URL(page.url()).pathname).toBe("/containers");
    browser.assertNoPageErrors();
  });

  test("the change-password page reads well in light and dark, on a desktop and a phone", { timeout: 90_000 }, async () => {
    for (const [name, options] of [
      ["desktop-light", { colorScheme: "light" as const }],
      ["desktop-dark", { colorScheme: "dark" as const }],
      ["phone-light", { colorScheme: "light" as const, viewport: { width: 390, height: 844 } }],
      ["phone-dark", { colorScheme: "dark" as const, viewport: { width: 390, height: 844 } }],
    ] as const) {
      const page = await browser.newPage(server.url, options);
      await logIn(page, "pia@example.com", INITIAL);
      await page.waitForURL("**/account?password=required");
      await page.getByLabel("Current password").waitFor();
      await page.screenshot({ path: artifactPath(`must-change-password-${name}.png`), fullPage: true });
      await page.close();
    }
    browser.assertNoPageErrors();
  });
});
