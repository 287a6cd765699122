// "Forgot password" in a real browser against the production server and a real SMTP server
// (npm smtp-server on loopback, as for invitations and alert mail): the mailed link sets a new
// password once and ends the account's sessions; an unknown address gets the same answer and no
// mail; a newer link replaces an older one; an expired link is refused; asking too often is
// throttled; without SMTP_URL the page says to ask an administrator.
import { rmSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { startReceivers, type Receivers } from "../integration/alert-receivers";
import { ADMIN, Client, memberClient, setUpServer, startServer, type TestServer } from "../setup/server";
import { artifactPath, logIn, openBrowser, waitForHydration, type TestBrowser } from "./browser";

let server: TestServer;
let browser: TestBrowser;
let mail: Receivers;
let admin: Client;

beforeAll(async () => {
  mail = await startReceivers();
  [server, browser] = await Promise.all([startServer({ env: { NGINX_MODE: "off", SMTP_URL: `smtp://127.0.0.1:${mail.smtpPort}/?from=InfraPilot%20%3Cno-reply%40infrapilot.test%3E` } }), openBrowser()]);
  admin = await setUpServer(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await mail?.close();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

/** The reset links mailed to `to`, oldest first (quoted-printable soft breaks undone). */
function linksTo(to: string): string[] {
  return mail.mails
    .filter((m) => m.to.includes(to))
    .flatMap((m) => [...m.raw.replace(/=\r?\n/g, "").matchAll(/https?:\/\/[^\s]+\/reset-password\/([A-Za-z0-9_-]{43})/g)].map((x) => `/reset-password/${x[1]}`));
}

async function waitForLinks(to: string, count: number): Promise<string[]> {
  await mail.waitFor(() => mail.mails, () => linksTo(to).length >= count, 30_000);
  return linksTo(to);
}

async function askForLink(page: Page, email: string): Promise<void> {
  await page.goto("/forgot-password");
  await waitForHydration(page);
  await page.getByLabel("E-mail").fill(email);
  await page.getByRole("button", { name: "Mail me a link" }).click();
}

describe("forgot password", () => {
  test("the mailed link sets a new password once and ends every session; the old password stops working", async () => {
    const member = await memberClient(server, admin, { email: "forgetful@example.com", role: "operator", name: "Fay Forgetful" });
    const page = await browser.newPage(server.url);
    await page.goto("/login");
    await waitForHydration(page);
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.waitForURL("**/forgot-password");
    await page.getByLabel("E-mail").fill("Forgetful@Example.com");
    await page.getByRole("button", { name: "Mail me a link" }).click();
    await page.getByRole("status").getByText("forgetful@example.com").waitFor();
    await expect(page.getByRole("status").textContent()).resolves.toMatch(/If forgetful@example\.com belongs to an account here, a link .* works once, for 60 minutes/);

    const [link] = await waitForLinks("forgetful@example.com", 1);
    const message = mail.mails.find((m) => m.to.includes("forgetful@example.com"))!;
    expect(message.from).toBe("no-reply@infrapilot.test");
    expect(message.raw).toContain("Reset your InfraPilot password");

    await page.goto(link!);
    await page.getByText("Account: forgetful@example.com").waitFor();
    await page.screenshot({ path: artifactPath("reset-password-light.png"), fullPage: true });
    // The password rules apply here as everywhere.
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Set the new password" }).click();
    await page.getByText(/at least \d+ characters/i).first().waitFor();
    await page.getByLabel("Password").fill("a brand new remembered passphrase");
    await page.getByRole("button", { name: "Set the new password" }).click();
    await page.waitForURL("**/login");
    await page.getByRole("status").filter({ hasText: "Your password was changed. Log in with it." }).waitFor();

    // Every session of the account ended; the old password is refused, the new one works.
    expect((await member.client.request("/api/v1/me")).status).toBe(401);
    expect((await new Client(server.url).post("/api/v1/auth/login", { email: "forgetful@example.com", password: member.password })).status).toBe(401);
    await logIn(page, { email: "forgetful@example.com", password: "a brand new remembered passphrase" });

    // The link worked once.
    const again = await browser.newPage(server.url);
    await again.goto(link!);
    await again.getByTestId("reset-gone").waitFor();
    await again.getByRole("link", { name: "Ask for a new link" }).waitFor();
    browser.assertNoPageErrors();
  });

  test("an unknown address gets the same answer and no mail; a newer link replaces the older; asking too often is throttled", async () => {
    await memberClient(server, admin, { email: "twice@example.com", role: "viewer" });
    const page = await browser.newPage(server.url, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: "dark" });
    await askForLink(page, "nobody-here@example.com");
    const unknownAnswer = await page.getByRole("status").textContent();
    await page.screenshot({ path: artifactPath("forgot-password-sent-phone-dark.png"), fullPage: true });
    await askForLink(page, "twice@example.com");
    const knownAnswer = await page.getByRole("status").textContent();
    expect(unknownAnswer!.replace("nobody-here@example.com", "X")).toBe(knownAnswer!.replace("twice@example.com", "X"));

    await askForLink(page, "twice@example.com");
    await page.getByRole("status").getByText("twice@example.com").waitFor();
    const [first, second] = await waitForLinks("twice@example.com", 2);
    // Mail goes out in the order asked: the unknown address would have had its mail by now.
    expect(mail.mails.filter((m) => m.to.includes("nobody-here@example.com"))).toEqual([]);

    // Only the newest link works.
    await page.goto(first!);
    await page.getByTestId("reset-gone").waitFor();
    await page.goto(second!);
    await page.getByRole("button", { name: "Set the new password" }).waitFor();

    // A third request is answered; the fourth within the hour is refused, whatever the address holds.
    await askForLink(page, "twice@example.com");
    await page.getByRole("status").getByText("twice@example.com").waitFor();
    await askForLink(page, "twice@example.com");
    await page.getByRole("alert").filter({ hasText: /Too many reset requests\. Try again in \d+ minutes\./ }).waitFor();
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    browser.assertNoPageErrors();
  });

  test("an expired link is refused", async () => {
    await memberClient(server, admin, { email: "late@example.com", role: "viewer" });
    const page = await browser.newPage(server.url);
    await askForLink(page, "late@example.com");
    const [link] = await waitForLinks("late@example.com", 1);
    const db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      await db.query(`UPDATE "PasswordReset" SET "expiresAt" = now() - interval '1 second' WHERE "usedAt" IS NULL AND "userId" = (SELECT id FROM "User" WHERE email = 'late@example.com')`);
    } finally {
      await db.end();
    }
    await page.goto(link!);
    await page.getByTestId("reset-gone").waitFor();
    expect((await new Client(server.url).post("/api/v1/auth/login", { email: ADMIN.email, password: ADMIN.password })).status).toBe(200);
    browser.assertNoPageErrors();
  });

  test("without SMTP_URL the page says to ask an administrator", async () => {
    const plain = await startServer({ env: { NGINX_MODE: "off" } });
    try {
      await setUpServer(plain);
      for (const [label, options] of [
        ["desktop-light", {}],
        ["phone-dark", { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: "dark" as const }],
      ] as const) {
        const page = await browser.newPage(plain.url, options);
        await page.goto("/login");
        await page.getByRole("link", { name: "Forgot your password?" }).click();
        await page.getByTestId("reset-unavailable").getByText("Ask an administrator to reset your password").waitFor();
        await expect(page.getByRole("button", { name: "Mail me a link" }).count()).resolves.toBe(0);
        await page.screenshot({ path: artifactPath(`forgot-password-no-mail-${label}.png`), fullPage: true });
        await page.close();
      }
      browser.assertNoPageErrors();
    } finally {
      await plain.stop();
      rmSync(plain.dataDir, { recursive: true, force: true });
    }
  });
});
