// Maintenance windows on the monitor form, in a real browser against the production server: add a
// one-off and a weekly window, see a bad one refused with the error on its field (the rows come
// back as typed), save, see them stored through the API, remove one, save again. Screenshots
// (light/dark, desktop/390 px phone) go to /tmp/shots-monitor-maintenance/.
import { mkdirSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setUpServer, startServer, type Client, type TestServer } from "../setup/server";
import { logIn, openBrowser, waitForHydration, type TestBrowser } from "./browser";

const SHOTS = "/tmp/shots-monitor-maintenance";
let server: TestServer;
let browser: TestBrowser;
let admin: Client;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({}), openBrowser()]);
  admin = await setUpServer(server);
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

type Monitor = { id: string; maintenance: unknown[] };
async function stored(id: string): Promise<Monitor> {
  const res = await admin.request(`/api/v1/monitors/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Monitor;
}

describe("Monitor form: maintenance windows", () => {
  test("adds a one-off and a weekly window, refuses a bad one on its field, saves, and removes one", async () => {
    const created = await admin.post("/api/v1/monitors", { name: "nightly backup", type: "push", intervalSeconds: 3600 });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Monitor;

    const page = await browser.newPage(server.url);
    await logIn(page);
    await page.goto(`/monitors?edit=${id}`);
    await waitForHydration(page);
    const form = page.getByRole("form", { name: "Edit nightly backup" });
    const windows = form.getByTestId("maintenance-windows");
    await windows.getByText("None.").waitFor();

    // A one-off window whose end is before its start, and a weekly one on Saturday and Sunday nights.
    await windows.getByRole("button", { name: "Add a one-off window" }).click();
    const once = windows.getByRole("group", { name: "Maintenance window 1" });
    await once.getByLabel("From (UTC)").fill("2030-05-02T10:00");
    await once.getByLabel("until (UTC)").fill("2030-05-01T10:00");
    await windows.getByRole("button", { name: "Add a weekly window" }).click();
    const weekly = windows.getByRole("group", { name: "Maintenance window 2" });
    for (const day of ["Mon", "Tue", "Wed", "Thu", "Fri"]) await weekly.getByLabel(day, { exact: true }).uncheck();
    for (const day of ["Sat", "Sun"]) await weekly.getByLabel(day, { exact: true }).check();
    await weekly.getByLabel("from (HH:MM)").fill("23:00");
    await weekly.getByLabel("to (HH:MM)").fill("01:30");
    await form.getByRole("button", { name: "Save monitor" }).click();

    // Refused: the error is on the end field, and both rows come back as typed.
    await once.getByText("The end must be after the start.").waitFor();
    await expect(once.getByLabel("until (UTC)").getAttribute("aria-invalid")).resolves.toBe("true");
    await expect(once.getByLabel("From (UTC)").inputValue()).resolves.toBe("2030-05-02T10:00");
    await expect(weekly.getByLabel("Sat", { exact: true }).isChecked()).resolves.toBe(true);
    await expect(weekly.getByLabel("Mon", { exact: true }).isChecked()).resolves.toBe(false);
    expect((await stored(id)).maintenance).toEqual([]);

    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width: 1280, height: 900 });
      await windows.screenshot({ path: `${SHOTS}/windows-error-desktop-${scheme}.png` });
      await page.setViewportSize({ width: 390, height: 844 });
      await form.screenshot({ path: `${SHOTS}/form-phone-${scheme}.png` });
      // Nothing of the form sticks out of a phone's width.
      await expect(form.evaluate((el) => el.scrollWidth <= el.clientWidth)).resolves.toBe(true);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: "light" });

    await once.getByLabel("until (UTC)").fill("2030-05-02T12:30");
    await form.getByRole("button", { name: "Save monitor" }).click();
    await page.getByText("nightly backup was saved.").waitFor();
    await expect.poll(async () => (await stored(id)).maintenance).toEqual([
      { start: "2030-05-02T10:00:00.000Z", end: "2030-05-02T12:30:00.000Z" },
      { weekdays: [0, 6], from: "23:00", to: "01:30" },
    ]);

    // Opened again, the form shows them; removing the one-off window and saving keeps the weekly one.
    await page.goto(`/monitors?edit=${id}`);
    await waitForHydration(page);
    await windows.getByTestId("maintenance-row").nth(1).waitFor();
    await expect(windows.getByTestId("maintenance-row").count()).resolves.toBe(2);
    await expect(once.getByLabel("until (UTC)").inputValue()).resolves.toBe("2030-05-02T12:30");
    await page.setViewportSize({ width: 1280, height: 900 });
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await form.screenshot({ path: `${SHOTS}/form-desktop-${scheme}.png` });
    }
    await page.emulateMedia({ colorScheme: "light" });
    await once.getByRole("button", { name: "Remove window 1" }).click();
    await expect(windows.getByTestId("maintenance-row").count()).resolves.toBe(1);
    await form.getByRole("button", { name: "Save monitor" }).click();
    await page.getByText("nightly backup was saved.").waitFor();
    await expect.poll(async () => (await stored(id)).maintenance).toEqual([{ weekdays: [0, 6], from: "23:00", to: "01:30" }]);
    browser.assertNoPageErrors();
  }, 120_000);
});
