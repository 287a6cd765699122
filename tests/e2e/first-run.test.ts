// The first hour of a new user, in a real browser against the real production server with a
// fresh database: setup, dashboard, navigation, logout, a wrong password, login, themes, phone.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { ADMIN, startServer, type TestServer } from "../setup/server";
import { artifactPath, openBrowser, waitForHydration, type TestBrowser } from "./browser";

const COMMUNITY_AREAS = ["Proxies", "Containers", "Logs", "Monitors", "Alerts", "Health", "Users", "Settings"];
const SAAS_ONLY_AREAS = ["Organizations", "Billing"];

let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), openBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

function mainNav(page: Page) {
  return page.getByRole("navigation", { name: "Main" });
}

async function logIn(page: Page, password = ADMIN.password) {
  await page.getByLabel("E-mail").fill(ADMIN.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

async function loggedInPage(options: Parameters<TestBrowser["newPage"]>[1] = {}) {
  const page = await browser.newPage(server.url, options);
  await page.goto("/login");
  await logIn(page);
  await page.waitForURL("**/dashboard");
  return page;
}

async function isDark(page: Page) {
  return page.evaluate(() => document.documentElement.classList.contains("dark"));
}

async function bodyBackground(page: Page) {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

describe("first run in a browser", () => {
  test("a first visitor is sent to setup, creates the administrator and lands on the dashboard with the Community navigation", async () => {
    const page = await browser.newPage(server.url);
    await page.goto("/");
    await page.waitForURL("**/setup");
    await expect(page.getByRole("heading", { name: "Set up InfraPilot" }).isVisible()).resolves.toBe(true);

    await page.getByLabel("Your name").fill(ADMIN.name);
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Create administrator" }).click();

    await page.waitForURL("**/dashboard");
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await expect(page.getByTestId("user-name").textContent()).resolves.toBe(ADMIN.name);
    for (const area of COMMUNITY_AREAS) {
      await expect(mainNav(page).getByRole("link", { name: area, exact: true }).isVisible(), `${area} in the navigation`).resolves.toBe(true);
    }
    for (const area of SAAS_ONLY_AREAS) {
      await expect(mainNav(page).getByRole("link", { name: area, exact: true }).count(), `${area} hidden in Community`).resolves.toBe(0);
    }

    // Setup is over: the page is no longer offered.
    await page.goto("/setup");
    expect(new URL(page.url()).pathname).not.toBe("/setup");
    browser.assertNoPageErrors();
  });

  test("after logging out a wrong password shows an error and the right one opens the dashboard again", async () => {
    const page = await loggedInPage();
    await waitForHydration(page);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL("**/login");

    await page.goto("/dashboard");
    expect(new URL(page.url()).pathname).toBe("/login");

    await logIn(page, "not the right password at all");
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Wrong e-mail or password.");
    expect(new URL(page.url()).pathname).toBe("/login");

    await logIn(page);
    await page.waitForURL("**/dashboard");
    await expect(page.getByTestId("user-name").textContent()).resolves.toBe(ADMIN.name);
    browser.assertNoPageErrors();
  });

  test("the dashboard follows the system colour scheme and is saved as light and dark screenshots", async () => {
    const page = await loggedInPage();

    await page.emulateMedia({ colorScheme: "light" });
    await page.reload();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    expect(await isDark(page)).toBe(false);
    const lightBackground = await bodyBackground(page);
    await page.screenshot({ path: artifactPath("dashboard-light.png"), fullPage: true });

    await page.emulateMedia({ colorScheme: "dark" });
    await page.reload();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    expect(await isDark(page)).toBe(true);
    expect(await bodyBackground(page)).not.toBe(lightBackground);
    await page.screenshot({ path: artifactPath("dashboard-dark.png"), fullPage: true });
    browser.assertNoPageErrors();
  });

  test("the light, system and dark buttons in the sidebar override the system scheme and remember the choice in a cookie", async () => {
    const page = await loggedInPage({ colorScheme: "light" });
    const themeButton = (name: string) => page.getByRole("group").getByRole("button", { name, exact: true });
    const themeCookie = async () => (await page.context().cookies()).find((c) => c.name === "theme")?.value;
    await expect(themeButton("system").getAttribute("aria-pressed")).resolves.toBe("true");

    await themeButton("dark").click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    expect(await isDark(page)).toBe(true);
    expect(await themeCookie()).toBe("dark");
    await expect(themeButton("dark").getAttribute("aria-pressed")).resolves.toBe("true");
    expect(new URL(page.url()).pathname).toBe("/dashboard");

    // The choice survives a reload and beats a dark system preference the other way round.
    await page.emulateMedia({ colorScheme: "dark" });
    await themeButton("light").click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
    await page.reload();
    expect(await isDark(page)).toBe(false);
    expect(await themeCookie()).toBe("light");

    await themeButton("system").click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === "system");
    // Back on "System" the dark system scheme applies at once, not only after a reload…
    await page.waitForFunction(() => document.documentElement.classList.contains("dark"));
    // …and "System" follows the operating system when it changes while the page is open.
    await page.emulateMedia({ colorScheme: "light" });
    await page.waitForFunction(() => !document.documentElement.classList.contains("dark"));
    await page.emulateMedia({ colorScheme: "dark" });
    await page.reload();
    expect(await isDark(page)).toBe(true);
    expect(await themeCookie()).toBe("system");
    browser.assertNoPageErrors();
  });

  test("on a phone-width screen the navigation is hidden until the Menu button reveals it", async () => {
    const page = await loggedInPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await waitForHydration(page);
    const proxies = mainNav(page).getByRole("link", { name: "Proxies", exact: true });
    const menu = page.getByRole("button", { name: "Menu" });

    expect(await proxies.isVisible()).toBe(false);
    await expect(menu.getAttribute("aria-expanded")).resolves.toBe("false");
    await menu.tap();
    await proxies.waitFor({ state: "visible" });
    for (const area of COMMUNITY_AREAS) {
      await expect(mainNav(page).getByRole("link", { name: area, exact: true }).isVisible(), `${area} in the phone menu`).resolves.toBe(true);
    }
    await expect(menu.getAttribute("aria-expanded")).resolves.toBe("true");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, "no horizontal scrolling at phone width").toBeLessThanOrEqual(390);

    await proxies.tap();
    await page.waitForURL("**/proxies");
    await proxies.waitFor({ state: "hidden" });
    browser.assertNoPageErrors();
  });
});
