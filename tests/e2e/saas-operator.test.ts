// The platform operator in a real browser (EDITION=saas): /setup creates the operator, who lands
// on the console, sees the organizations, changes a plan and suspends one; a member of the
// suspended organization sees the banner and cannot change anything. Screenshots of the console
// light/dark, desktop/phone, and of the member's banner.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import pg from "pg";
import type { Page } from "playwright-core";
import { startServer, type TestServer } from "../setup/server";
import { artifactPath, openBrowser, waitForHydration, type TestBrowser } from "./browser";
import { hashPassword } from "~/server/auth/password.server";

const OPERATOR = { email: "ops@service.example", name: "Olga Operator", password: "operator password of some length" };
const MEMBER = { email: "ann@acme.example", password: "member password of some length" };

let server: TestServer;
let browser: TestBrowser;
let db: pg.Client;
let acmeId: string;
let operatorPage: Page;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ env: { EDITION: "saas" } }), openBrowser()]);
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

/** Customer organizations made in SQL (sign-up is another part of issue 12). */
async function customer(name: string, slug: string, member?: { email: string; password: string }): Promise<string> {
  const orgId = randomUUID();
  await db.query(`INSERT INTO "Organization" (id, name, slug) VALUES ($1, $2, $3)`, [orgId, name, slug]);
  if (member) {
    const userId = randomUUID();
    await db.query(`INSERT INTO "User" (id, email, name, "passwordHash") VALUES ($1, $2, 'Ann Admin', $3)`, [userId, member.email, await hashPassword(member.password)]);
    await db.query(`INSERT INTO "Membership" (id, "orgId", "userId", role) VALUES ($1, $2, $3, 'super_admin')`, [randomUUID(), orgId, userId]);
  }
  return orgId;
}

describe("the operator console", () => {
  test("the first visitor sets up the operator, who lands on an empty console", async () => {
    operatorPage = await browser.newPage(server.url);
    const page = operatorPage;
    await page.goto("/");
    await page.waitForURL("**/setup");
    await page.getByText("Create the platform operator account").waitFor();
    await page.getByLabel("Your name").fill(OPERATOR.name);
    await page.getByLabel("E-mail").fill(OPERATOR.email);
    await page.getByLabel("Password").fill(OPERATOR.password);
    await page.getByRole("button", { name: "Create operator" }).click();
    await page.waitForURL("**/admin");
    await page.getByRole("heading", { name: "Organizations" }).waitFor();
    await page.getByText("No organizations yet").waitFor();
    await expect(page.getByTestId("operator-name").textContent()).resolves.toBe(OPERATOR.name);
    // No tenant navigation, and tenant pages send the operator back here.
    await expect(page.getByRole("navigation", { name: "Main" }).count()).resolves.toBe(0);
    await page.goto("/proxies");
    await page.waitForURL("**/admin");
    await page.screenshot({ path: artifactPath("operator-console-empty.png"), fullPage: true });
  });

  test("the operator sees the organizations, changes a plan and suspends one", async () => {
    acmeId = await customer("Acme", "acme", MEMBER);
    await customer("Globex", "globex");
    const page = operatorPage;
    await page.goto("/admin");
    await waitForHydration(page);
    const acme = page.getByTestId("org-row-acme");
    await acme.waitFor();
    await page.getByTestId("org-row-globex").waitFor();
    await expect(acme.textContent()).resolves.toContain("1 / 3"); // members of the Free plan

    await page.getByLabel("Plan of Acme").selectOption("team");
    await acme.getByRole("button", { name: "Set plan" }).click();
    await page.getByText("Acme is on the Team plan now.").waitFor();
    await expect(page.getByLabel("Plan of Acme").inputValue()).resolves.toBe("team");
    expect((await db.query(`SELECT plan FROM "Organization" WHERE id = $1`, [acmeId])).rows[0].plan).toBe("team");

    await page.getByRole("button", { name: "Suspend Acme" }).click();
    const dialog = page.getByRole("dialog", { name: "Suspend Acme?" });
    await dialog.getByText("every change (pages, API, API tokens, live actions) is refused").waitFor();
    await dialog.getByRole("button", { name: "Suspend organization" }).click();
    await acme.getByText("Suspended").waitFor();
    await page.getByRole("button", { name: "Unsuspend Acme" }).waitFor();
    await expect(page.getByTestId("platform-audit").textContent()).resolves.toContain("org.suspend");
    expect((await db.query(`SELECT "suspendedAt" FROM "Organization" WHERE id = $1`, [acmeId])).rows[0].suspendedAt).not.toBeNull();
    browser.assertNoPageErrors();
  });

  test("the console is screenshotted light and dark, desktop and phone", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      for (const [device, viewport] of [["desktop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]] as const) {
        const page = await browser.newPage(server.url, { colorScheme, viewport });
        await page.goto("/login");
        await page.getByLabel("E-mail").fill(OPERATOR.email);
        await page.getByLabel("Password").fill(OPERATOR.password);
        await page.getByRole("button", { name: "Log in" }).click();
        await page.waitForURL("**/admin");
        await page.getByTestId("org-row-acme").waitFor();
        await page.screenshot({ path: artifactPath(`operator-console-${colorScheme}-${device}.png`), fullPage: true });
      }
    }
    browser.assertNoPageErrors();
  });
});

describe("a member of the suspended organization", () => {
  test("sees the banner, can read, and cannot change anything", async () => {
    const page = await browser.newPage(server.url);
    await page.goto("/login");
    await page.getByLabel("E-mail").fill(MEMBER.email);
    await page.getByLabel("Password").fill(MEMBER.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL("**/dashboard");
    await page.getByTestId("suspended-banner").waitFor();
    await page.screenshot({ path: artifactPath("suspended-member-dashboard.png"), fullPage: true });

    await page.goto("/users");
    await waitForHydration(page);
    await page.getByTestId("suspended-banner").waitFor();
    await page.getByRole("form", { name: "Add user" }).getByLabel("Name").fill("Bob");
    await page.getByRole("form", { name: "Add user" }).getByLabel("E-mail").fill("bob@acme.example");
    await page.getByRole("button", { name: "Add user" }).click();
    await page.getByText("you can read its data but not change anything").first().waitFor();
    expect((await db.query(`SELECT count(*)::int AS n FROM "User" WHERE email = 'bob@acme.example'`)).rows[0].n).toBe(0);

    const api = await page.request.post("/api/v1/tokens", { data: { name: "x", scope: "read" }, headers: { origin: server.url } });
    expect(api.status()).toBe(403);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("org_suspended");
    browser.pageErrors(); // the refused action's 403 is logged by the browser; expected here
  });
});
