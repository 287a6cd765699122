// The Logs page's "Live" time choice in a real browser: a container's lines appear as it prints
// them, with its name, level badges and the search highlighted; pause holds the view still and
// resume catches up; the live span links to the persisted history.
import { readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { removeTestContainers } from "../setup/docker";
import { localAgentId, runContainer } from "../setup/containers";
import { viaNginx } from "../setup/nginx";
import { freePort } from "../setup/postgres";
import { setUpServer, startServer, type Client, type TestServer } from "../setup/server";
import { openBrowser, pageBackgroundLuminance, waitForHydration, type TestBrowser, logIn } from "./browser";

const RUN_ID = `e2e-ll-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
let server: TestServer;
let browser: TestBrowser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ env: { DOCKER_HOST: dockerHost, LOGS_PERSIST: "false" } }), openBrowser()]);
  await setUpServer(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
  await removeTestContainers(dockerHost, RUN_ID);
});

describe("live logs in a browser", () => {
  test("lines appear live with source, level and highlight; pause holds, resume catches up", async () => {
    const name = `${RUN_ID}-ticker`;
    const id = await runContainer(dockerHost, RUN_ID, name, [
      "sh",
      "-c",
      "trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo hello-live-$i; if [ $i = 3 ]; then echo 'ERROR e2e-fail' >&2; fi; sleep 0.3; done",
    ]);
    const page = await browser.newPage(server.url);
    await logIn(page);

    await page.goto(`/logs?range=live&containerId=${id}`);
    await waitForHydration(page);
    const rows = page.getByTestId("live-log-row");
    const failing = rows.filter({ hasText: "ERROR e2e-fail" });
    await failing.first().waitFor({ timeout: 15_000 });
    await expect(failing.first().textContent()).resolves.toContain(name);
    await expect(failing.first().textContent()).resolves.toContain("error");
    await rows.filter({ hasText: "hello-live-8" }).first().waitFor({ timeout: 15_000 });

    await page.getByRole("button", { name: "Pause" }).click();
    const held = await rows.count();
    await page.waitForTimeout(1_200);
    expect(await rows.count()).toBe(held);
    await page.getByRole("button", { name: "Resume" }).click();
    await expect.poll(() => rows.count(), { timeout: 5_000 }).toBeGreaterThan(held);
    const history = await page.getByRole("link", { name: "Open this span in history" }).getAttribute("href");
    expect(history).toMatch(/range=custom/);

    // A text search filters the live view and marks the match.
    await page.goto(`/logs?range=live&containerId=${id}&q=live-1`);
    await waitForHydration(page);
    await rows.filter({ hasText: "hello-live-10" }).first().waitFor({ timeout: 15_000 });
    expect(await rows.filter({ hasText: "ERROR" }).count()).toBe(0);
    await expect(rows.first().locator("mark").first().textContent()).resolves.toBe("live-1");
    await page.close();
  });
});

describe("the Logs page with persistence and a proxy host, on a phone in dark mode", () => {
  let full: TestServer;
  let admin: Client;
  let upstream: Server;
  let httpPort: number;

  beforeAll(async () => {
    const upstreamPort = await freePort();
    upstream = createServer((_req, res) => res.end("ok"));
    await new Promise<void>((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
    httpPort = await freePort();
    full = await startServer({
      env: { DOCKER_HOST: dockerHost, NGINX_BIN: "/usr/sbin/nginx", NGINX_HTTP_PORT: String(httpPort), NGINX_HTTPS_PORT: String(await freePort()), NGINX_LISTEN_ADDRESS: "127.0.0.1" },
    });
    admin = await setUpServer(full);
    const agentId = await localAgentId(admin);
    const res = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: ["e2e-logs.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort } });
    expect(res.status).toBe(201);
  });

  afterAll(async () => {
    await full?.stop();
    try {
      process.kill(Number(readFileSync(join(full.dataDir, "nginx", "run", "nginx.pid"), "utf8")), "SIGQUIT");
    } catch {
      // nginx never started
    }
    upstream?.close();
    if (full) rmSync(full.dataDir, { recursive: true, force: true });
  });

  async function phonePage() {
    const page = await browser.newPage(full.url, { viewport: { width: 390, height: 844 }, colorScheme: "dark", isMobile: true, hasTouch: true });
    await logIn(page);
    return page;
  }

  test("ticking a container and choosing a proxy host streams both, merged; the page fits the phone", async () => {
    const name = `${RUN_ID}-picked`;
    await runContainer(dockerHost, RUN_ID, name, ["sh", "-c", "trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo picked-line-$i; sleep 0.3; done"]);
    const page = await phonePage();
    await page.goto("/logs");
    await waitForHydration(page);
    await page.getByTestId("container-choices").getByLabel(name).check();
    await page.getByLabel("Proxy host").selectOption({ label: "e2e-logs.test" });
    await page.getByLabel("Time").selectOption("live");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/range=live/);
    expect(page.url()).toMatch(/containerId=[0-9a-f]{64}/);
    expect(page.url()).toMatch(/proxyHostId=/);
    await waitForHydration(page);
    const rows = page.getByTestId("live-log-row");
    await rows.filter({ hasText: "picked-line-" }).first().waitFor({ timeout: 20_000 });
    // Requests through the proxy host show up in the same stream, marked as its access log.
    const marker = `e2e-${Date.now().toString(36)}`;
    const proxyRows = page.locator('[data-testid="live-log-row"][data-source="proxy"]');
    await expect
      .poll(
        async () => {
          await viaNginx(httpPort, "e2e-logs.test", `/${marker}`);
          return proxyRows.filter({ hasText: marker }).count();
        },
        { timeout: 40_000, interval: 1_000 },
      )
      .toBeGreaterThan(0);
    const proxyRow = proxyRows.filter({ hasText: marker }).first();
    await expect(proxyRow.textContent()).resolves.toContain("e2e-logs.test");
    await expect(proxyRow.textContent()).resolves.toContain("access");
    await expect(proxyRow.textContent()).resolves.toContain("info");
    // In history (once the persistence shipper follows the host: a request before its first
    // start is not stored), the proxy host shows by its domain and a regex search is marked.
    const hostId = new URL(page.url()).searchParams.get("proxyHostId")!;
    const stored = `${marker}-h`;
    await expect
      .poll(
        async () => {
          await viaNginx(httpPort, "e2e-logs.test", `/${stored}`);
          return ((await (await admin.request(`/api/v1/logs?proxyHostId=${hostId}&q=${stored}`)).json()) as { items: unknown[] }).items.length;
        },
        { timeout: 40_000, interval: 1_000 },
      )
      .toBeGreaterThan(0);
    await page.goto(`/logs?range=1h&proxyHostId=${hostId}&q=${encodeURIComponent(`/${stored}|never-[0-9]+x`)}&regex=on`);
    const historyRow = page.getByTestId("log-row").filter({ hasText: stored }).first();
    await historyRow.waitFor({ timeout: 20_000 });
    await expect(historyRow.textContent()).resolves.toContain("proxy e2e-logs.test");
    await expect(historyRow.locator("mark").first().textContent()).resolves.toBe(`/${stored}`);
    await page.goBack();
    await waitForHydration(page);
    // Back on the live view (it replays the last minute, the stored request included), the picked
    // container and the proxy host stream again, merged.
    await rows.filter({ hasText: "picked-line-" }).first().waitFor({ timeout: 20_000 });
    await proxyRows.filter({ hasText: stored }).first().waitFor({ timeout: 20_000 });
    // Phone layout: nothing wider than the screen; dark mode applied.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // What the user sees: the page background is dark (not merely that the system asked for it).
    expect(await pageBackgroundLuminance(page)).toBeLessThan(0.2);
    await page.close();
  });

  test("export shows rows and bytes as they stream, with a bar from the server's row count, and saves the file; cancel stops a large one", async () => {
    const name = `${RUN_ID}-exported`;
    const id = await runContainer(dockerHost, RUN_ID, name, ["sh", "-c", "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); echo export-line-$i-padding-padding-padding-padding-padding-padding-padding; done; trap 'exit 0' TERM; while true; do sleep 1; done"]);
    // Wait until the collector stored them all.
    await expect
      .poll(async () => ((await (await admin.request(`/api/v1/logs?containerId=${id}&q=export-line-30000-&limit=5`)).json()) as { items: unknown[] }).items.length, { timeout: 60_000, interval: 1_000 })
      .toBe(1);
    const page = await phonePage();
    await page.goto(`/logs?range=1h&containerId=${id}&q=export-line-1`);
    await waitForHydration(page);
    // Lines 1, 10-19, 100-199, 1000-1999, 10000-19999: 11,111 rows.
    const download = page.waitForEvent("download", { timeout: 60_000 });
    await page.getByRole("link", { name: "Export NDJSON" }).click();
    const progress = page.getByTestId("log-export-progress");
    await expect.poll(() => progress.textContent(), { timeout: 60_000 }).toMatch(/^Exported 11,111 of 11,111 rows · [\d.]+ (KB|MB) \(NDJSON\)/);
    expect(await page.getByRole("progressbar", { name: "Export progress" }).getAttribute("aria-valuenow")).toBe("100");
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^infrapilot-logs-\d{4}-\d{2}-\d{2}\.ndjson$/);
    const text = readFileSync(await file.path(), "utf8");
    const lines = text.trim().split("\n").map((l) => JSON.parse(l) as { message: string });
    expect(lines).toHaveLength(11_111);
    expect(lines.every((l) => l.message.startsWith("export-line-1"))).toBe(true);

    // A large export (all 30,000 lines, CSV) can be cancelled while it streams.
    await page.goto(`/logs?range=1h&containerId=${id}`);
    await waitForHydration(page);
    await page.getByRole("link", { name: "Export CSV" }).click();
    // The response has started (the row count arrived with its headers): cancel while it streams.
    await expect.poll(() => progress.textContent(), { timeout: 30_000, interval: 20 }).toMatch(/^Exporting [\d,]+ of 30,000 rows/);
    await page.getByRole("button", { name: "Cancel export" }).click();
    await expect.poll(() => progress.textContent(), { timeout: 10_000 }).toMatch(/^Export cancelled after [\d,]+ of 30,000 rows/);
    const cancelledAt = Number((await progress.textContent())!.match(/after ([\d,]+)/)![1]!.replaceAll(",", ""));
    expect(cancelledAt).toBeLessThan(30_000);
    await page.close();
  });
});

