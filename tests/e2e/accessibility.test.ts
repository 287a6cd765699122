// axe-core (the engine behind browser accessibility checkers) over every page of the app, in light
// and in dark mode, against the production server with some content on each page (containers on
// the test Docker engine, an alert channel and rule, a monitor, a user). Any serious or critical
// violation fails the test, colour contrast (WCAG AA, 4.5:1) included; the message lists the rule,
// the page and the offending elements so the fix is obvious.
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { NAV_ITEMS } from "~/navigation";
import { hasFeature } from "~/features";
import { localAgentId, runContainer } from "../setup/containers";
import { removeTestContainers } from "../setup/docker";
import { setUpServer, startServer, type Client, type TestServer } from "../setup/server";
import { artifactPath, logIn, openBrowser, waitForHydration, type TestBrowser } from "./browser";

const RUN_ID = `e2e-a11y-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Pages behind the login: the main navigation (Community build) and the pages one level down. */
const PAGES = [
  ...NAV_ITEMS.filter((item) => !item.feature || hasFeature("community", item.feature)).map((item) => item.to),
  "/access-lists",
  "/alerts?tab=rules",
  "/alerts?tab=channels",
  "/account",
  "/account/security",
  "/account/tokens",
];

let server: TestServer;
let browser: TestBrowser;
let admin: Client;
let agentId: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ env: { DOCKER_HOST: dockerHost, SMTP_URL: "smtp://127.0.0.1:9", ALERTS_ALLOWED_HOSTS: "127.0.0.1:9" } }), openBrowser()]);
  admin = await setUpServer(server);
  agentId = await localAgentId(admin);
  await runContainer(dockerHost, RUN_ID, `${RUN_ID}-web`, undefined, ["--label", "com.docker.compose.project=shop"]);
  await runContainer(dockerHost, RUN_ID, `${RUN_ID}-lone`);
  const channel = await (await admin.post("/api/v1/alerts/channels", { name: "Ops e-mail", type: "smtp", config: { host: "mail.example.com", port: 587, tls: "starttls", from: "infrapilot@example.com", to: ["a-very-long-mailbox-name-for-the-operations-team@example.com"] } })).json();
  await admin.post("/api/v1/alerts/rules", { name: "Crashes", type: "container_crash", scope: { all: true }, channelIds: [channel.id] });
  const monitor = await admin.post("/api/v1/monitors", { name: "Home page", type: "http", config: { url: "http://127.0.0.1:9/" }, intervalSeconds: 60 });
  if (monitor.status !== 201) throw new Error(`monitor: ${monitor.status} ${await monitor.text()}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
  await removeTestContainers(dockerHost, RUN_ID);
});

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe-core in the page (WCAG 2.x A and AA rules) and returns the serious and critical findings. */
async function seriousViolations(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }, resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

function describeViolations(where: string, violations: Violation[]): string[] {
  return violations.map(
    (v) => `${where}: ${v.id} (${v.impact}) ${v.help}\n${v.nodes
      .slice(0, 6)
      .map((n) => `    ${n.target.join(" ")}: ${(n.failureSummary ?? "").split("\n").slice(1, 2).join("").trim()}`)
      .join("\n")}${v.nodes.length > 6 ? `\n    … and ${v.nodes.length - 6} more` : ""}`,
  );
}

/** Lets live data settle (tables, counters) so axe sees the page as a user does. */
async function settle(page: Page) {
  await waitForHydration(page);
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.waitForTimeout(300);
}

describe("accessibility", () => {
  for (const scheme of ["light", "dark"] as const) {
    test(`every page has no serious or critical axe-core violation in ${scheme} mode (contrast included)`, async () => {
      const problems: string[] = [];
      const outside = await browser.newPage(server.url, { colorScheme: scheme, bypassCSP: true });
      for (const path of ["/login", "/forgot-password"]) {
        await outside.goto(path);
        await settle(outside);
        problems.push(...describeViolations(`${scheme} ${path}`, await seriousViolations(outside)));
      }
      const page = await browser.newPage(server.url, { colorScheme: scheme, bypassCSP: true });
      await logIn(page);
      for (const path of PAGES) {
        const response = await page.goto(path);
        expect(response?.status(), path).toBe(200);
        await settle(page);
        if (process.env.SHOTS_DIR) await page.screenshot({ path: `${process.env.SHOTS_DIR}/${scheme}${path.replace(/[/?=&]/g, "_")}.png`, fullPage: true });
        problems.push(...describeViolations(`${scheme} ${path}`, await seriousViolations(page)));
      }
      if (problems.length) await page.screenshot({ path: artifactPath(`axe-${scheme}.png`), fullPage: true });
      expect(problems, problems.join("\n")).toEqual([]);
    }, 180_000);
  }

  test("tabs that scroll on a phone show that they do, on the side that has more", async () => {
    const containers = (await (await admin.request(`/api/v1/agents/${agentId}/containers`)).json()).items as { id: string; name: string }[];
    const web = containers.find((c) => c.name === `${RUN_ID}-web`)!;
    const page = await browser.newPage(server.url, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await logIn(page);
    await page.goto(`/containers/${agentId}/${web.id}`);
    await waitForHydration(page);
    const tabs = page.locator('[data-testid="scroll-tabs"]');
    await page.locator('[data-testid="scroll-tabs"][data-more-right="true"][data-more-left="false"]').waitFor();
    if (process.env.SHOTS_DIR) await page.screenshot({ path: `${process.env.SHOTS_DIR}/phone-container-tabs.png` });
    await page.getByRole("tablist", { name: "Container details" }).evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    await page.locator('[data-testid="scroll-tabs"][data-more-right="false"][data-more-left="true"]').waitFor();
    await expect(tabs.getByText("›").count()).resolves.toBe(0);
    await expect(tabs.getByText("‹").count()).resolves.toBe(1);
    browser.assertNoPageErrors();
  });
});
