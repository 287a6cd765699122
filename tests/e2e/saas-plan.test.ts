// Settings → Plan in a real browser (EDITION=saas, decision 126): a Free organization with its
// three members, 900 MiB of logs this month and some lines dropped sees its plan, each limit with
// usage and a bar, and what happens at the limit; inviting a fourth member or adding a user is
// refused with a message that links to the plan page; at the agent limit the Agents page warns
// before a token is made. Screenshots light/dark, desktop/phone.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import pg from "pg";
import type { Page } from "playwright-core";
import { startServer, type TestServer } from "../setup/server";
import { artifactPath, logIn, openBrowser, waitForHydration, type TestBrowser } from "./browser";
import { hashPassword } from "~/server/auth/password.server";

const OWNER = { email: "owner@plan.example", password: "owner password of some length" };

let server: TestServer;
let browser: TestBrowser;
let db: pg.Client;
let page: Page;
let orgId: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ env: { EDITION: "saas" } }), openBrowser()]);
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  // A Free organization (3 members at most) that has its 3 members.
  orgId = randomUUID();
  await db.query(`INSERT INTO "Organization" (id, name, slug, plan) VALUES ($1, 'Planet Express', 'planet', 'free')`, [orgId]);
  const hash = await hashPassword(OWNER.password);
  for (const [i, email] of [OWNER.email, "fry@plan.example", "leela@plan.example"].entries()) {
    const userId = randomUUID();
    await db.query(`INSERT INTO "User" (id, email, name, "passwordHash") VALUES ($1, $2, $3, $4)`, [userId, email, ["Hubert", "Fry", "Leela"][i], hash]);
    await db.query(`INSERT INTO "Membership" (id, "orgId", "userId", role) VALUES ($1, $2, $3, $4)`, [randomUUID(), orgId, userId, i === 0 ? "super_admin" : "viewer"]);
  }
  // 900 MiB of the 1 GiB stored this month (near the limit), and lines already dropped.
  await db.query(`INSERT INTO "LogUsage" ("orgId", day, lines, bytes, "droppedLines", "droppedBytes") VALUES ($1, (now() AT TIME ZONE 'UTC')::date, 1000, $2, 1234, 56789)`, [orgId, 900 * 1024 ** 2]);
});
afterAll(async () => {
  await db?.end();
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

/** Light and dark, desktop and phone: `show` loads the page (the "system" theme is settled at load) and brings it to the state to show. */
async function shots(name: string, show: () => Promise<void>): Promise<void> {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1280, height: 800 });
    await show();
    await page.screenshot({ path: artifactPath(`${name}-${scheme}-desktop.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: artifactPath(`${name}-${scheme}-phone.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe("the plan page", () => {
  test("the navigation leads to the plan, each limit with its usage, a bar and what happens at the limit", async () => {
    page = await browser.newPage(server.url);
    await logIn(page, OWNER);
    await waitForHydration(page);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Plan and usage" }).click();
    await page.waitForURL("**/settings/plan");
    await page.getByRole("heading", { name: "Plan and usage" }).waitFor();
    await expect(page.getByTestId("plan-name").textContent()).resolves.toBe("Free");

    const limit = (key: string) => page.locator(`[data-testid="plan-limit"][data-limit="${key}"]`);
    await limit("members").waitFor();
    await expect(limit("members").getAttribute("data-level")).resolves.toBe("at");
    await expect(limit("members").getByTestId("plan-usage").textContent()).resolves.toBe("3 of 3");
    await expect(limit("members").getByRole("meter").getAttribute("aria-valuenow")).resolves.toBe("3");
    await expect(limit("members").textContent()).resolves.toContain("Inviting or adding people is refused");
    await expect(limit("agents").getByTestId("plan-usage").textContent()).resolves.toBe("0 of 1");
    await expect(limit("agents").getAttribute("data-level")).resolves.toBe("ok");
    await expect(limit("logRetentionDays").getByTestId("plan-usage").textContent()).resolves.toBe("7 days of 7 days");
    await expect(limit("logBytesPerMonth").getAttribute("data-level")).resolves.toBe("near");
    await expect(limit("logBytesPerMonth").getByTestId("plan-usage").textContent()).resolves.toBe("900 MiB of 1 GiB");
    await expect(page.getByTestId("log-dropped").textContent()).resolves.toContain("1,234 log lines");
    await expect(page.getByText("Contact the service operator to move this organization to a larger plan").count()).resolves.toBe(1);
    // Settings links to it too.
    await page.goto("/settings");
    await page.getByRole("link", { name: "See the plan and usage" }).waitFor();
    await shots("plan", async () => {
      await page.goto("/settings/plan");
      await page.getByTestId("plan-name").waitFor();
    });
    browser.assertNoPageErrors();
  });

  test("past the member limit, the invitation form says so and links to the plan page", async () => {
    const alert = page.getByRole("alert").filter({ hasText: "The Free plan allows 3 members" });
    await shots("plan-limit-invite", async () => {
      await page.goto("/organizations");
      await waitForHydration(page);
      await page.getByLabel("E-mail address").fill("bender@plan.example");
      await page.getByRole("button", { name: "Invite" }).click();
      await alert.waitFor();
      // The page revalidates after the action: shoot it settled, buttons enabled again.
      await expect.poll(() => page.getByRole("button", { name: "Invite" }).isEnabled()).toBe(true);
    });
    await expect(alert.getAttribute("data-code")).resolves.toBe("plan_limit");
    await alert.getByRole("link", { name: "See your plan and usage" }).click();
    await page.waitForURL("**/settings/plan");
    await page.getByTestId("plan-name").waitFor();
    // Nothing was invited.
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM "Invitation" WHERE email = 'bender@plan.example'`);
    expect(rows[0].n).toBe(0);
    browser.assertNoPageErrors();
  });

  test("adding a user on the Users page is refused the same way", async () => {
    await page.goto("/users");
    await waitForHydration(page);
    const form = page.getByRole("form", { name: "Add user" });
    await form.getByLabel("Name").fill("Bender");
    await form.getByLabel("E-mail").fill("bender@plan.example");
    await form.getByRole("button", { name: /add/i }).click();
    const alert = page.getByRole("alert").filter({ hasText: "The Free plan allows 3 members" });
    await alert.waitFor();
    await expect(alert.getByRole("link", { name: "See your plan and usage" }).getAttribute("href")).resolves.toBe("/settings/plan");
    browser.assertNoPageErrors();
  });

  test("at the agent limit, the Agents page says a host enrolled now is refused, and links to the plan page", async () => {
    await db.query(`INSERT INTO "Agent" (id, "orgId", name, kind) VALUES ($1, $2, 'web-1', 'remote')`, [randomUUID(), orgId]);
    const notice = page.getByTestId("agent-limit");
    await shots("plan-limit-agents", async () => {
      await page.goto("/agents");
      await waitForHydration(page);
      await notice.waitFor();
    });
    await expect(notice.textContent()).resolves.toContain("The Free plan allows 1 agent, and this organization has them all.");
    await notice.getByRole("link", { name: "See your plan and usage" }).click();
    await page.waitForURL("**/settings/plan");
    const agents = page.locator('[data-testid="plan-limit"][data-limit="agents"]');
    await agents.waitFor();
    await expect(agents.getAttribute("data-level")).resolves.toBe("at");
    await expect(agents.getByTestId("plan-usage").textContent()).resolves.toBe("1 of 1");
    browser.assertNoPageErrors();
  });
});
