// The status page editor and an incident post in a real browser against the production server
// (decision 063): open a page's editor from the Monitors area, give it a description, a logo
// upload and two groups, post an incident, see it on the public page (light and dark, desktop and
// phone), post an update that resolves it, and see a bad logo refused with a clear error.
// Screenshots go to /tmp/shots-i21-finish/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setUpServer, startServer, type Client, type TestServer } from "../setup/server";
import { logIn, openBrowser, waitForHydration, type TestBrowser } from "./browser";

const SHOTS = "/tmp/shots-i21-finish";
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAKklEQVR42mNkYPj/n4EKgHHUwFEDRw0cNXDUwFEDRw0cNXDUwFEDRw0cNQAAh3wf8VdWdKcAAAAASUVORK5CYII=",
  "base64",
);
let server: TestServer;
let browser: TestBrowser;
let admin: Client;
let files: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({}), openBrowser()]);
  admin = await setUpServer(server);
  mkdirSync(SHOTS, { recursive: true });
  files = mkdtempSync(join(tmpdir(), "status-logo-"));
  writeFileSync(join(files, "logo.png"), PNG);
  writeFileSync(join(files, "logo.svg"), "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>");
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
  if (files) rmSync(files, { recursive: true, force: true });
});

describe("Status page editor", () => {
  test("edits a page's groups, description and logo, posts an incident, resolves it, and the public page shows each step", async () => {
    for (const name of ["Checkout", "Search", "Mail relay"]) {
      expect((await admin.post("/api/v1/monitors", { name, type: "push", intervalSeconds: 86_400 })).status).toBe(201);
    }
    expect((await admin.post("/api/v1/status-pages", { slug: "shop", title: "Shop status" })).status).toBe(201);

    const page = await browser.newPage(server.url);
    await logIn(page);
    await page.goto("/monitors");
    await waitForHydration(page);
    await page.getByRole("link", { name: "Edit the status page shop" }).click();
    await page.waitForURL(/\?page=/);
    const editor = page.locator("#status-page-editor");
    await editor.getByRole("heading", { name: "Edit status page Shop status" }).waitFor();

    // A bad logo (SVG) is refused on its field, nothing else lost.
    const settings = editor.getByRole("form", { name: "Status page settings" });
    await settings.getByLabel("Description").fill("Live status of the shop.");
    await settings.getByLabel("Upload a logo").setInputFiles(join(files, "logo.svg"));
    await settings.getByRole("button", { name: "Save status page" }).click();
    await settings.getByText(/SVG is not accepted/).waitFor();
    expect(await settings.getByLabel("Upload a logo").getAttribute("aria-invalid")).toBe("true");
    expect(await settings.getByLabel("Description").inputValue()).toBe("Live status of the shop.");

    // Groups: Checkout and Search under "Storefront", Mail relay under "Back office".
    await settings.getByLabel("Upload a logo").setInputFiles(join(files, "logo.png"));
    for (const [name, group] of [["Checkout", "Storefront"], ["Search", "Storefront"], ["Mail relay", "Back office"]] as const) {
      await settings.getByRole("checkbox", { name }).check();
      await settings.getByLabel(`Group of ${name}`).fill(group);
    }
    await settings.getByRole("button", { name: "Save status page" }).click();
    await page.getByText("The status page /status/shop was saved.").waitFor();
    await editor.getByText("An uploaded logo is shown").waitFor();

    // An incident post.
    const post = editor.getByRole("form", { name: "New post" });
    await post.getByLabel("Title").fill("Payments are slow");
    await post.getByLabel("What visitors should know").fill("Card payments take up to a minute. We are on it.");
    await post.getByRole("button", { name: "Post to the page" }).click();
    await page.getByText("Posted: Payments are slow.").waitFor();
    await editor.getByTestId("editor-post").first().waitFor();

    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.reload();
      await page.setViewportSize({ width: 1280, height: 900 });
      await editor.waitFor();
      await editor.screenshot({ path: `${SHOTS}/status-editor-desktop-${scheme}.png` });
      await page.setViewportSize({ width: 390, height: 844 });
      await editor.screenshot({ path: `${SHOTS}/status-editor-phone-${scheme}.png` });
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    const pub = await browser.newPage(server.url);
    await pub.goto("/status/shop");
    expect(await pub.getByTestId("status-group").allTextContents()).toEqual(["Storefront", "Back office"]);
    expect(await pub.getByTestId("status-monitor").count()).toBe(3);
    expect(await pub.getByTestId("status-post").textContent()).toMatch(/Investigating.*Payments are slow.*Card payments take up to a minute/);
    expect(await pub.getByTestId("status-logo").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(16);
    await pub.getByText("Live status of the shop.").waitFor();
    for (const scheme of ["light", "dark"] as const) {
      await pub.emulateMedia({ colorScheme: scheme });
      await pub.reload();
      await pub.setViewportSize({ width: 1280, height: 900 });
      await pub.screenshot({ path: `${SHOTS}/status-public-desktop-${scheme}.png`, fullPage: true });
      await pub.setViewportSize({ width: 390, height: 844 });
      await pub.screenshot({ path: `${SHOTS}/status-public-phone-${scheme}.png`, fullPage: true });
    }

    // An update that resolves it.
    const update = editor.getByRole("form", { name: "Update Payments are slow" });
    await update.getByLabel("Status").selectOption("resolved");
    await update.getByLabel("Update text").fill("Resolved: the payment provider recovered.");
    await update.getByRole("button", { name: "Post update" }).click();
    await page.getByText("Payments are slow: resolved.").waitFor();
    expect(await editor.getByRole("button", { name: "Resolve" }).count()).toBe(0);
    // The page is cached for 30 s (Cache-Control): another URL is a fresh read, and the server's own cache was cleared by the edit.
    await pub.goto("/status/shop?after=resolve");
    expect(await pub.getByTestId("status-post").textContent()).toMatch(/Resolved.*Payments are slow.*the payment provider recovered/);
    browser.assertNoPageErrors();
  });
});
