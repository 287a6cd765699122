// A monitor's detail view in a real browser against the production server: after real checks of
// a loopback target that answers 200, then 500, then 200 again, the view shows uptime for
// 24 h / 7 d / 30 d / 90 d, the response-time chart with the failed check marked, and the
// incident timeline (down with its cause and how long it lasted, then up). Screenshots light and
// dark, desktop and phone width, go to /tmp/shots-i21-more/.
import { mkdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setUpServer, startServer, type Client, type TestServer } from "../setup/server";
import { logIn, openBrowser, waitForHydration, type TestBrowser } from "./browser";

const SHOTS = "/tmp/shots-i21-more";
let server: TestServer;
let browser: TestBrowser;
let target: Server;
let targetPort: number;
let admin: Client;
let status = 200;

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(status);
    res.end("ok");
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  targetPort = (target.address() as AddressInfo).port;
  [server, browser] = await Promise.all([startServer({ env: { ALERTS_ALLOWED_HOSTS: `127.0.0.1:${targetPort}` } }), openBrowser()]);
  admin = await setUpServer(server);
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

describe("Monitor detail view", () => {
  test("shows uptime, the response-time chart with the failed check and the down/up timeline with cause and duration", async () => {
    const created = await admin.post("/api/v1/monitors", { name: "Shop front", type: "http", intervalSeconds: 86_400, config: { url: `http://127.0.0.1:${targetPort}/` } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const checkNow = async () => expect((await admin.post(`/api/v1/monitors/${id}/check`, {})).status).toBe(200);
    await checkNow();
    await checkNow();
    status = 500;
    await checkNow();
    await new Promise((r) => setTimeout(r, 1_100)); // a visible duration (whole seconds)
    status = 200;
    await checkNow();
    await checkNow();

    const page = await browser.newPage(server.url);
    await logIn(page);
    await page.goto("/monitors");
    await waitForHydration(page);
    await page.getByRole("link", { name: "Details of Shop front" }).click();
    await page.waitForURL(/\?view=/);
    const detail = page.locator("#monitor-detail");
    await detail.getByRole("heading", { name: /Shop front/ }).waitFor();

    // 4 of 5 checks succeeded in every window.
    for (const w of ["24h", "7days", "30days", "90days"]) expect(await detail.getByTestId(`uptime-${w}`).textContent()).toBe("80.00 %");
    expect(await detail.getByTestId("latency-summary").textContent()).toMatch(/5 checks, 1 failed/);
    // Average and p95 of the successful checks per window (raw results + rollups, decision 061).
    for (const w of ["24h", "7days", "30days", "90days"]) expect(await detail.getByTestId(`latency-${w}`).textContent()).toMatch(/^avg \d+ ms · p95 \d+ ms$/);
    const chart = detail.getByTestId("latency-chart");
    expect(await chart.getAttribute("aria-label")).toMatch(/1 failed checks/);
    expect(await chart.getByTestId("chart-failure").count()).toBe(1);
    expect(await chart.getByTestId("chart-line").getAttribute("d")).toMatch(/^M[\d.]+,[\d.]+ L/);

    const incidents = detail.getByTestId("incident");
    expect(await incidents.count()).toBe(2);
    expect(await incidents.nth(0).getAttribute("data-kind")).toBe("up");
    expect(await incidents.nth(0).textContent()).toMatch(/Up again.*after \d+ s down/);
    expect(await incidents.nth(1).textContent()).toMatch(/Down — unexpected status.*lasted \d+ s.*HTTP 500/);

    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.reload();
      await detail.getByTestId("latency-chart").waitFor();
      await page.setViewportSize({ width: 1280, height: 900 });
      await detail.screenshot({ path: `${SHOTS}/monitor-detail-desktop-${scheme}.png` });
      await page.setViewportSize({ width: 390, height: 844 });
      await detail.screenshot({ path: `${SHOTS}/monitor-detail-phone-${scheme}.png` });
    }

    // Closing the details goes back to the plain list.
    await page.getByRole("link", { name: "Close details" }).click();
    await page.waitForURL(/\/monitors$/);
    await page.locator("#monitor-detail").waitFor({ state: "detached" });
    await page.locator('[data-testid="monitor-row"][data-name="Shop front"]').waitFor();
    browser.assertNoPageErrors();
  });

  test("creates ping and DNS monitors through the form; the ping one checks over TCP and says so, the DNS one refuses a server the policy does not allow", async () => {
    const page = await browser.newPage(server.url);
    await logIn(page);
    await page.goto("/monitors");
    await waitForHydration(page);
    const form = page.getByRole("form", { name: "New monitor" });
    await form.getByLabel("Name", { exact: true }).fill("Resolver");
    await form.getByLabel("Type", { exact: true }).selectOption("dns");
    await form.getByLabel("Domain name").fill("example.com");
    await form.getByLabel("Record type").selectOption("MX");
    await form.getByLabel("DNS server").fill("127.0.0.1:5353");
    await form.getByLabel("Check every (seconds)").fill("3600");
    for (const scheme of ["light", "dark"] as const) {
      // What root.tsx's theme script does for a system-dark visitor, without reloading the filled form.
      await page.evaluate((dark) => document.documentElement.classList.toggle("dark", dark), scheme === "dark");
      await form.screenshot({ path: `${SHOTS}/monitor-form-dns-${scheme}.png` });
    }
    await page.evaluate(() => document.documentElement.classList.remove("dark"));
    await form.getByRole("button", { name: "Create monitor" }).click();
    await form.getByText(/loopback/).first().waitFor();
    expect(await form.getByLabel("DNS server").getAttribute("aria-invalid")).toBe("true");

    await form.getByLabel("Name", { exact: true }).fill("Shop host");
    await form.getByLabel("Type", { exact: true }).selectOption("ping");
    await form.getByLabel("Host to ping").fill("127.0.0.1");
    await form.getByLabel("TCP port when ICMP is not allowed").fill(String(targetPort));
    await form.getByLabel("Check every (seconds)").fill("3600");
    await form.getByRole("button", { name: "Create monitor" }).click();
    const row = page.locator('[data-testid="monitor-row"][data-name="Shop host"]');
    await row.waitFor();
    expect(await row.textContent()).toContain("ping 127.0.0.1");
    await page.getByRole("button", { name: "Check now Shop host" }).click();
    await page.locator('[data-testid="monitor-row"][data-name="Shop host"][data-status="up"]').waitFor();
    await page.getByRole("link", { name: "Details of Shop host" }).click();
    await page.locator("#monitor-detail").getByText(/ICMP echo reply|TCP connect to port \d+ \((no ping binary installed|ICMP not permitted here)\): open/).waitFor();
    browser.assertNoPageErrors();
  });
});
