// The agent picker in a real browser (docs/decisions/120): a SaaS organization with the real
// standalone agent connected (its containers on the private test dockerd) and a second agent that
// never connected. Switching agents moves the page to the other agent (offline: said at once),
// the navigation keeps the choice, and an organization without agents gets the empty state.
// Screenshots light/dark, desktop/phone of each state.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { removeTestContainers } from "../setup/docker";
import { runContainer } from "../setup/containers";
import { saasOwnerClient, startAgent, type AgentProcess } from "../setup/saas";
import { startServer, type TestServer } from "../setup/server";
import { artifactPath, openBrowser, waitForHydration, type TestBrowser } from "./browser";

const RUN_ID = `e2e-picker-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
const PASSWORD = "a long enough test password";
let server: TestServer;
let browser: TestBrowser;
let agent: AgentProcess | undefined;
let owner: { email: string; orgId: string };
let edgeId: string;
let spareId: string;
const edgeName = `edge-${RUN_ID.slice(-6)}`;
const containerName = `${RUN_ID}-web`;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ env: { EDITION: "saas", DOCKER_HOST: "unix:///nonexistent/docker.sock" } }), openBrowser()]);
  const { client, orgId, email } = await saasOwnerClient(server, "picker");
  owner = { email, orgId };
  const created = await client.post("/api/v1/agents/enrollment-tokens", { name: "e2e node", maxUses: 1, expiresAt: new Date(Date.now() + 3600_000).toISOString() });
  const { secret } = (await created.json()) as { secret: string };
  agent = startAgent({ serverUrl: server.url, token: secret, dockerHost, name: edgeName });
  await agent.waitForLog(/connected to the control plane/, 60_000);
  edgeId = JSON.parse(readFileSync(join(agent.dataDir, "agent.json"), "utf8")).agentId;
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  try {
    // A second agent of the organization that never connected (offline).
    spareId = (await db.query(`INSERT INTO "Agent" (id, "orgId", name, kind) VALUES (gen_random_uuid(), $1, 'spare-node', 'remote') RETURNING id`, [orgId])).rows[0].id;
  } finally {
    await db.end();
  }
  await runContainer(dockerHost, RUN_ID, containerName);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await agent?.stop("SIGKILL");
  await server?.stop();
  await removeTestContainers(dockerHost, RUN_ID);
});

async function logIn(page: Page, email: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL("**/dashboard");
  await waitForHydration(page);
}

async function screenshots(page: Page, name: string, before?: (page: Page) => Promise<void>): Promise<void> {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.reload();
    await waitForHydration(page);
    for (const [size, viewport] of [["desktop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]] as const) {
      await page.setViewportSize(viewport);
      if (before) await before(page);
      // The viewport, not the full page: the picker sits at the top, and the shared test engine may hold many containers.
      await page.screenshot({ path: artifactPath(`agent-picker-${name}-${size}-${scheme}.png`) });
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
}

const openPicker = async (page: Page) => {
  const picker = page.getByTestId("agent-picker");
  if (!(await picker.evaluate((d) => (d as HTMLDetailsElement).open))) await picker.locator("summary").click();
  await page.getByTestId("agent-option").first().waitFor();
};

describe("the agent picker", () => {
  test("lists the organization's agents with their state; switching moves the page to the other agent, and the navigation keeps it", async () => {
    const page = await browser.newPage(server.url);
    await logIn(page, owner.email);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Containers" }).click();
    await page.waitForURL("**/containers");
    // The connected agent is chosen by default, and its containers are listed.
    await expect.poll(() => page.getByTestId("current-agent").textContent()).toBe(edgeName);
    await page.getByRole("link", { name: containerName }).first().waitFor();
    expect(await page.getByTestId("current-agent-status").textContent()).toBe("online");

    await openPicker(page);
    const options = page.getByTestId("agent-option");
    expect(await options.count()).toBe(2);
    await expect.poll(async () => (await options.allTextContents()).join(" | ")).toMatch(new RegExp(`${edgeName}.*online.*spare-node.*offline|spare-node.*offline.*${edgeName}.*online`));
    await screenshots(page, "open", openPicker);

    // Switch to the offline agent: the page follows, says so at once, and shows none of the other's containers.
    await openPicker(page);
    await page.getByTestId("agent-option").filter({ hasText: "spare-node" }).click();
    await page.waitForURL(`**/containers?agent=${spareId}`);
    await page.getByTestId("agent-offline").waitFor();
    expect(await page.getByTestId("agent-offline").textContent()).toMatch(/spare-node is offline/);
    expect(await page.getByRole("link", { name: containerName }).count()).toBe(0);
    expect(await page.getByTestId("current-agent").textContent()).toBe("spare-node");
    await screenshots(page, "offline");

    // The navigation keeps the choice: Images is on the spare agent too.
    await page.getByRole("navigation", { name: "Docker sections" }).getByRole("link", { name: "Images" }).click();
    await page.waitForURL(`**/images?agent=${spareId}`);
    await page.getByTestId("agent-offline").waitFor();

    // Back to the connected agent from the Logs page; the Containers page then follows.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Logs" }).click();
    await page.waitForURL("**/logs");
    await expect.poll(() => page.getByTestId("current-agent").textContent()).toBe("spare-node");
    await openPicker(page);
    await page.getByTestId("agent-option").filter({ hasText: edgeName }).click();
    await page.waitForURL(`**/logs?agent=${edgeId}`);
    await expect.poll(() => page.getByTestId("current-agent").textContent()).toBe(edgeName);
    await page.getByTestId("container-choices").getByText(containerName).waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Containers" }).click();
    await page.waitForURL("**/containers");
    await page.getByRole("link", { name: containerName }).first().waitFor();
    expect(await page.getByTestId("current-agent").textContent()).toBe(edgeName);
    browser.assertNoPageErrors();
    await page.context().close();
  });

  test("an organization without agents is told how to add one, and gets its install line", async () => {
    const { email } = await saasOwnerClient(server, "empty");
    const page = await browser.newPage(server.url);
    await logIn(page, email);
    await page.goto("/containers");
    await waitForHydration(page);
    await page.getByTestId("no-agents").waitFor();
    await screenshots(page, "empty");
    await page.getByRole("button", { name: "Create an enrollment token" }).click();
    await page.getByTestId("enrollment-created").waitFor();
    expect(await page.getByTestId("enrollment-created").textContent()).toMatch(/install\.sh \| sh -s -- --token=ipe_/);
    await page.screenshot({ path: artifactPath("agent-picker-enrollment-desktop.png"), fullPage: true });
    browser.assertNoPageErrors();
    await page.context().close();
  });
});
