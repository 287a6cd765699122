// First-run setup from another machine in a real browser: the page asks for the one-time code
// from the server's log, says where to find it, refuses a wrong one and accepts the right one.
// "Another machine" = TRUSTED_PROXIES=127.0.0.1 plus X-Forwarded-For from a documentation address.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ADMIN, startServer, type TestServer } from "../setup/server";
import { openBrowser, waitForHydration, type TestBrowser } from "./browser";

let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } }), openBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

describe("setup code in the browser", () => {
  test("the setup page from the machine itself asks for no code", async () => {
    const page = await browser.newPage(server.url);
    await page.goto("/setup");
    await expect(page.getByLabel("Your name").isVisible()).resolves.toBe(true);
    await expect(page.getByLabel("Setup code").count()).resolves.toBe(0);
    browser.assertNoPageErrors();
  });

  test("refuses a wrong code at its field, then the code from the log creates the administrator", async () => {
    const page = await browser.newPage(server.url, { extraHTTPHeaders: { "x-forwarded-for": "203.0.113.9" } });
    await page.goto("/setup");
    await waitForHydration(page);
    const code = page.getByLabel("Setup code");
    await expect(code.isVisible()).resolves.toBe(true);
    await expect(page.getByText("InfraPilot printed a one-time code there").isVisible()).resolves.toBe(true);

    await code.fill("AAAA-BBBB-CCCC");
    await page.getByLabel("Your name").fill(ADMIN.name);
    await page.getByLabel("E-mail").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Create administrator" }).click();
    await page.getByText("That setup code is not right.").waitFor();
    await expect(code.getAttribute("aria-invalid")).resolves.toBe("true");

    const fromLog = [...server.output().matchAll(/"setupCode":"([A-Z0-9-]+)"/g)].at(-1)![1]!;
    await code.fill(fromLog);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Create administrator" }).click();
    await page.waitForURL("**/dashboard");
    browser.assertNoPageErrors();
  });
});
