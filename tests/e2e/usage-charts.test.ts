// Usage charts in a real browser against the production server and the test Docker engine: the
// container detail page opens with a full CPU chart (axes, points from the history the agent
// keeps, before any live sample could fill it), shows a tooltip on hover and from the keyboard,
// switches to 6 h; the dashboard shows the host's chart. Screenshots light/dark, desktop/phone.
import { mkdirSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import type { Page } from "playwright-core";
import { removeTestContainers } from "../setup/docker";
import { localAgentId, runContainer } from "../setup/containers";
import { setUpServer, startServer, type Client, type TestServer } from "../setup/server";
import { artifactPath, openBrowser, waitForHydration, logIn, type TestBrowser } from "./browser";

const RUN_ID = `e2e-charts-${process.pid}-${Date.now().toString(36)}`;
const SHOTS = process.env.SHOTS_DIR ?? artifactPath("usage-charts");
const dockerHost = inject("dockerHost");
const BUSY = ["sh", "-c", "trap 'exit 0' TERM; while :; do :; done"];
let server: TestServer;
let browser: TestBrowser;
let admin: Client;
let agentId: string;
let busyId: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [server, browser] = await Promise.all([startServer({ env: { DOCKER_HOST: dockerHost } }), openBrowser()]);
  admin = await setUpServer(server);
  agentId = await localAgentId(admin);
  busyId = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-busy`, BUSY, ["--memory", "96m"]);
  // Let the agent's sampler (every 5 s) record a few rounds while no page is open.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await admin.request(`/api/v1/agents/${agentId}/containers/${busyId}/stats?range=1h`);
    const body = (await res.json()) as { points: { cpuPercent: number | null }[] };
    if (body.points.filter((p) => (p.cpuPercent ?? 0) > 0).length >= 3) break;
    if (Date.now() > deadline) throw new Error(`no history: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
  await removeTestContainers(dockerHost, RUN_ID);
});

async function loggedInPage(options: Parameters<TestBrowser["newPage"]>[1] = {}): Promise<Page> {
  const page = await browser.newPage(server.url, options);
  await logIn(page);
  return page;
}

describe("usage charts", () => {
  test("a container's CPU chart opens with axes and history, shows values on hover and from the keyboard, and switches to 6 h", async () => {
    const page = await loggedInPage();
    const opened = Date.now();
    await page.goto(`/containers/${agentId}/${busyId}`);
    const cpu = page.getByTestId("chart-cpu");
    await cpu.locator("canvas").waitFor();
    // Drawn from the server's history: three 10-s points cannot come from 5-s live rounds this soon.
    const points = Number(await cpu.getAttribute("data-points"));
    expect(Date.now() - opened).toBeLessThan(10_000);
    expect(points).toBeGreaterThanOrEqual(3);
    // An x axis and a y axis; memory has a second y axis for % of its limit, which the chart names.
    expect(await cpu.locator(".u-axis").count()).toBe(2);
    const memory = page.getByTestId("chart-memory");
    expect(await memory.locator(".u-axis").count()).toBe(3);
    expect(await memory.textContent()).toMatch(/of its limit: 96(\.0)? MiB/);
    expect(await cpu.textContent()).toContain("100 % = one core");
    expect(await page.getByTestId("chart-cpu-now").textContent()).toMatch(/now \d+(\.\d)? %/);

    await waitForHydration(page);
    const over = cpu.locator(".u-over");
    const box = (await over.boundingBox())!;
    // The newest bucket may still be empty (the sampler has not reached it): walk left from the
    // right edge, a pixel at a time, to the newest point with a value.
    const tooltip = page.getByTestId("chart-cpu-tooltip");
    let shown = "";
    for (let dx = 2; dx < 40 && !/CPU: \d/.test(shown); dx++) {
      await page.mouse.move(box.x + box.width - dx, box.y + box.height / 2);
      await tooltip.waitFor();
      shown = (await tooltip.textContent()) ?? "";
    }
    expect(shown).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC.*CPU: \d+(\.\d)? %/);
    await page.mouse.move(0, 0);
    await page.getByTestId("chart-memory").getByRole("img").focus();
    await page.keyboard.press("ArrowLeft");
    expect(await page.getByTestId("chart-memory-tooltip").textContent()).toMatch(/Memory: [\d.]+ (KiB|MiB) \(\d+(\.\d)? %\)/);

    await page.getByRole("navigation", { name: "Time range" }).getByRole("link", { name: "6 h" }).click();
    await page.waitForURL(/range=6h/);
    await page.locator('[data-testid="range-picker"] a[aria-current="true"]', { hasText: "6 h" }).waitFor();
    expect(Number(await page.getByTestId("chart-cpu").getAttribute("data-points"))).toBeGreaterThanOrEqual(1);

    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`/containers/${agentId}/${busyId}?range=1h`);
      await page.getByTestId("chart-network").locator("canvas").waitFor();
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.getByTestId("usage-charts").screenshot({ path: `${SHOTS}/container-charts-desktop-${scheme}.png` });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(200);
      await page.getByTestId("usage-charts").screenshot({ path: `${SHOTS}/container-charts-phone-${scheme}.png` });
    }
    browser.assertNoPageErrors();
  });

  test("the dashboard shows the host's CPU (all cores) and memory against installed memory", async () => {
    const page = await loggedInPage();
    await page.goto("/dashboard");
    const host = page.getByTestId("host-charts");
    await host.getByTestId("chart-cpu").locator("canvas").waitFor();
    expect(Number(await host.getByTestId("chart-cpu").getAttribute("data-points"))).toBeGreaterThanOrEqual(3);
    expect(await host.getByTestId("chart-cpu").textContent()).toMatch(/100 % = all \d+ cores/);
    expect(await host.getByTestId("chart-memory").textContent()).toMatch(/of installed: [\d.]+ GiB/);
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.reload();
      await host.getByTestId("chart-memory").locator("canvas").waitFor();
      await page.setViewportSize({ width: 1280, height: 900 });
      await host.screenshot({ path: `${SHOTS}/host-charts-desktop-${scheme}.png` });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(200);
      await host.screenshot({ path: `${SHOTS}/host-charts-phone-${scheme}.png` });
    }
    browser.assertNoPageErrors();
  });
});
