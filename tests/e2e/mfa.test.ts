// Users, invitations and two-factor authentication in a real browser against the production
// server: an admin invites a viewer who sets a password through the link; the admin turns MFA on
// (the test computes the codes from the secret on the page), logs in with a code, then with a
// backup code, which works once only.
import { readFileSync, rmSync } from "node:fs";
import { generate } from "otplib";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ADMIN, memberClient, setUpServer, startServer, type TestServer } from "../setup/server";
import { openBrowser, waitForHydration, type TestBrowser } from "./browser";

let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), openBrowser()]);
  const api = await setUpServer(server);
  // Created with an initial password, which Sam replaces with their own before the browser uses it.
  await memberClient(server, api, { ...SECOND_ADMIN, role: "admin" });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

const SECOND_ADMIN = { name: "Sam Second", email: "sam@example.com", password: "another long passphrase for sam" };
const VIEWER = { name: "Vera Viewer", email: "vera@example.com", password: "a long and private passphrase" };

function mainNav(page: Page) {
  return page.getByRole("navigation", { name: "Main" });
}

async function submitPassword(page: Page, email = ADMIN.email, password = ADMIN.password) {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

async function submitCode(page: Page, code: string) {
  await page.getByRole("heading", { name: "Two-factor authentication" }).waitFor();
  await page.getByLabel("Code").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

async function logOut(page: Page) {
  await waitForHydration(page);
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL("**/login");
}

const timeStep = () => Math.floor(Date.now() / 30_000);

/** A TOTP code from a time step after `usedStep`: each step's code is accepted once only. */
async function freshCode(secret: string, usedStep: number): Promise<{ code: string; step: number }> {
  while (timeStep() <= usedStep) await new Promise((r) => setTimeout(r, 250));
  const step = timeStep();
  return { code: await generate({ secret }), step };
}

describe("users and invitations in a browser", () => {
  test("an admin invites a viewer, who sets a password through the one-time link and sees no Users area", async () => {
    const admin = await browser.newPage(server.url);
    await submitPassword(admin);
    await admin.waitForURL("**/dashboard");
    await mainNav(admin).getByRole("link", { name: "Users", exact: true }).click();
    await admin.getByRole("heading", { name: "Users", exact: true }).waitFor();
    await waitForHydration(admin);

    const form = admin.getByRole("form", { name: "Add user" });
    await form.getByLabel("Name").fill(VIEWER.name);
    await form.getByLabel("E-mail").fill(VIEWER.email);
    await form.getByLabel("Role").selectOption("viewer");
    await form.getByRole("button", { name: "Add user" }).click();
    const invitationUrl = await admin.getByTestId("invitation-url").inputValue();
    expect(invitationUrl).toMatch(new RegExp(`^${server.url}/invite/[A-Za-z0-9_-]{43}$`));
    const row = admin.locator(`[data-testid="member-row"][data-email="${VIEWER.email}"]`);
    await expect(row.textContent()).resolves.toContain("Invited");

    const viewer = await browser.newPage(server.url);
    await viewer.goto(invitationUrl);
    await viewer.getByRole("heading", { name: `Welcome, ${VIEWER.name}` }).waitFor();
    await viewer.getByLabel("Password").fill(VIEWER.password);
    await viewer.getByRole("button", { name: "Set password and log in" }).click();
    await viewer.waitForURL("**/dashboard");
    await expect(viewer.getByTestId("user-name").textContent()).resolves.toBe(VIEWER.name);
    await expect(mainNav(viewer).getByRole("link", { name: "Dashboard", exact: true }).isVisible()).resolves.toBe(true);
    await expect(mainNav(viewer).getByRole("link", { name: "Users", exact: true }).count()).resolves.toBe(0);
    expect((await viewer.request.get("/users", { maxRedirects: 0 })).status()).toBe(403);

    // The link worked once.
    const again = await browser.newPage(server.url);
    await again.goto(invitationUrl);
    await again.getByRole("heading", { name: "This invitation link does not work" }).waitFor();

    await admin.reload();
    await expect(row.textContent()).resolves.toContain("Active");
    browser.assertNoPageErrors();
  });

  test("deleting a user needs their e-mail typed into the confirmation", async () => {
    const admin = await browser.newPage(server.url);
    await submitPassword(admin);
    await admin.waitForURL("**/dashboard");
    await admin.goto("/users");
    await waitForHydration(admin);
    const row = admin.locator(`[data-testid="member-row"][data-email="${VIEWER.email}"]`);
    await expect(admin.locator(`[data-testid="member-row"][data-email="${ADMIN.email}"]`).getByRole("button", { name: /Delete/ }).count()).resolves.toBe(0);

    await row.getByRole("button", { name: `Delete ${VIEWER.email}` }).click();
    const dialog = admin.getByRole("dialog", { name: `Delete ${VIEWER.name}?` });
    const confirm = dialog.getByRole("button", { name: "Delete user" });
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await dialog.getByLabel(/Type .* to confirm/).fill("someone-else@example.com");
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await dialog.getByLabel(/Type .* to confirm/).fill(VIEWER.email);
    await confirm.click();
    await row.waitFor({ state: "detached" });
    await dialog.waitFor({ state: "hidden" });
    browser.assertNoPageErrors();
  });
});

describe("two-factor authentication in a browser", () => {
  test("enrolment shows 10 downloadable backup codes; login then asks for a code; a backup code works once", { timeout: 180_000 }, async () => {
    const page = await browser.newPage(server.url);
    await submitPassword(page);
    await page.waitForURL("**/dashboard");
    await waitForHydration(page);
    await page.getByRole("link", { name: "Account", exact: true }).click();
    await page.getByRole("link", { name: "Security", exact: true }).click();
    await page.waitForURL("**/account/security");
    await waitForHydration(page);

    await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
    const secret = (await page.getByTestId("mfa-secret").textContent())!.replace(/\s+/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await expect(page.getByRole("img", { name: "QR code for your authenticator app" }).locator("svg").count()).resolves.toBe(1);

    // A wrong code keeps the QR code on screen and says so.
    await page.getByLabel("Code from the app").fill("000000");
    await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    await page.getByText("That code is not valid").waitFor();

    let used = await freshCode(secret, -1);
    await page.getByLabel("Code from the app").fill(used.code);
    await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    await page.getByTestId("backup-codes").waitFor();
    const codes = (await page.getByTestId("backup-codes").locator("li").allTextContents()).map((c) => c.trim());
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download" }).click()]);
    expect(download.suggestedFilename()).toBe("infrapilot-backup-codes.txt");
    const saved = readFileSync((await download.path())!, "utf8");
    for (const c of codes) expect(saved).toContain(c);

    await logOut(page);
    await submitPassword(page);
    used = await freshCode(secret, used.step);
    await submitCode(page, used.code);
    await page.waitForURL("**/dashboard");

    // The same code a second time (same time step) is refused.
    await logOut(page);
    await submitPassword(page);
    await submitCode(page, used.code);
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Wrong code");

    // A backup code instead of the app's code.
    await submitCode(page, codes[3]!);
    await page.waitForURL("**/dashboard");

    await logOut(page);
    await submitPassword(page);
    await submitCode(page, codes[3]!);
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Wrong code");
    expect(new URL(page.url()).pathname).toBe("/login");

    await page.goto("/dashboard");
    expect(new URL(page.url()).pathname).toBe("/login");
    browser.assertNoPageErrors();
  });
});

describe("an organization that requires two-factor authentication", () => {
  // Runs last: once the setting is on, every member without MFA is sent to set it up.
  test("an admin turns the requirement on, is sent to set up MFA with an explanation, and gets the app back once it is on", { timeout: 120_000 }, async () => {
    const page = await browser.newPage(server.url);
    await submitPassword(page, SECOND_ADMIN.email, SECOND_ADMIN.password);
    await page.waitForURL("**/dashboard");
    await mainNav(page).getByRole("link", { name: "Settings", exact: true }).click();
    await waitForHydration(page);
    await page.getByRole("switch", { name: "Require two-factor authentication for everyone" }).check();
    await page.getByRole("button", { name: "Save" }).click();

    // Without MFA of their own, the admin is sent to set it up, and every other page sends them back.
    await page.waitForURL("**/account/security?required=1");
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Your organization requires two-factor authentication");
    await page.goto("/users");
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe("/account/security?required=1");

    await waitForHydration(page);
    await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
    const secret = (await page.getByTestId("mfa-secret").textContent())!.replace(/\s+/g, "");
    const { code } = await freshCode(secret, -1);
    await page.getByLabel("Code from the app").fill(code);
    await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    await page.getByTestId("backup-codes").waitFor();
    await page.getByRole("link", { name: "I saved them, continue" }).click();
    await page.waitForURL("**/dashboard");
    await mainNav(page).getByRole("link", { name: "Users", exact: true }).click();
    await page.getByRole("heading", { name: "Users", exact: true }).waitFor();
    browser.assertNoPageErrors();
  });
});
