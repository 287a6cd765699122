// Remote agents in Chromium (SaaS): create an enrollment token on the Agents page, start the real
// standalone agent (tsx agent/main.ts, its own process) with the token the page showed once, see it
// come online on the page, open a terminal in a container of its engine (the private test
// dockerd), create a proxy host on it and request it through the node's own nginx (free loopback
// ports), then revoke the token and remove the agent through their confirmation dialogs. The control
// plane is given no Docker engine: everything host-side comes through the agent.
// Community: the page shows the built-in agent, read-only.
import { readFileSync } from "node:fs";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import type { Page } from "playwright-core";
import { removeTestContainers } from "../setup/docker";
import { runContainer } from "../setup/containers";
import { stopNginxOf, viaNginx } from "../setup/nginx";
import { freePort } from "../setup/postgres";
import { saasOwnerClient, startAgent, type AgentProcess } from "../setup/saas";
import { setUpServer, startServer, type TestServer } from "../setup/server";
import { artifactPath, logIn, openBrowser, waitForHydration, type TestBrowser } from "./browser";

const RUN_ID = `e2e-agents-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
const PASSWORD = "a long enough test password";
let browser: TestBrowser;

beforeAll(async () => {
  browser = await openBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await removeTestContainers(dockerHost, RUN_ID);
});

async function screenshots(page: Page, name: string): Promise<void> {
  for (const [scheme, viewport, size] of [
    ["light", { width: 1280, height: 900 }, "desktop"],
    ["dark", { width: 1280, height: 900 }, "desktop"],
    ["light", { width: 390, height: 844 }, "phone"],
    ["dark", { width: 390, height: 844 }, "phone"],
  ] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // The "system" theme is applied before first paint only (root.tsx); do what that script does
    // rather than reload, which would drop the once-shown token.
    await page.evaluate((dark) => document.documentElement.classList.toggle("dark", dark), scheme === "dark");
    await page.setViewportSize(viewport);
    await page.screenshot({ path: artifactPath(`${name}-${size}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.evaluate(() => document.documentElement.classList.remove("dark"));
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe("SaaS: enrolling a host and working on it", () => {
  let server: TestServer;
  let page: Page;
  let upstream: HttpServer;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { EDITION: "saas", DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
    const { email } = await saasOwnerClient(server, "agents-e2e");
    page = await browser.newPage(server.url);
    await logIn(page, { email, password: PASSWORD });
    upstream = createServer((_req, res) => res.end("served by the node's nginx"));
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  }, 120_000);

  afterAll(async () => {
    // Also on failure: the agent processes and their nginx go, then the server.
    for (const a of agents) {
      await a.stop("SIGKILL");
      stopNginxOf(a.dataDir);
    }
    upstream?.close();
    // The page polls its list: closed before the server goes, so it reports no refused requests.
    await page?.context().close();
    await server?.stop();
  });

  test("token on the page → the real agent comes online → terminal and proxy host on the node → token revoked and agent removed through dialogs", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Agents" }).click();
    await page.waitForURL("**/agents");
    await waitForHydration(page);
    await page.getByText("No agents yet").waitFor();
    await page.getByText("No enrollment tokens").waitFor();

    // A bad form is answered on the form.
    await page.getByLabel("Uses").fill("0");
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByText("Name it.").waitFor();
    await page.getByText("At least one use.").waitFor();

    await page.getByLabel("Token name").fill("e2e rack");
    await page.getByLabel("Expires after").selectOption("1");
    await page.getByLabel("Uses").fill("1");
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByTestId("enrollment-created").waitFor();
    const install = (await page.getByTestId("install-command").textContent())!.trim();
    expect(install).toMatch(new RegExp(`^curl -fsSL ${server.url.replace(/[.]/g, "\\.")}/install\\.sh \\| sh -s -- --token=ipe_[A-Za-z0-9_-]+$`));
    const secret = /--token=(ipe_[A-Za-z0-9_-]+)/.exec(install)![1]!;
    expect(await page.getByTestId("docker-command").textContent()).toContain(`-e AGENT_TOKEN=${secret}`);
    await page.getByRole("button", { name: "Copy" }).first().waitFor();
    const tokenRow = page.getByTestId("enrollment-token-row").filter({ hasText: "e2e rack" });
    await tokenRow.getByText("1 of 1 uses left").waitFor();
    await screenshots(page, "agents-token-created");

    // Shown once: after a reload the secret is nowhere on the page.
    await page.reload();
    await tokenRow.waitFor();
    expect(await page.getByTestId("enrollment-created").count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    // The real agent, with the token from the page, its own nginx on free loopback ports.
    const httpPort = await freePort();
    const agent = startAgent({
      serverUrl: server.url,
      token: secret,
      dockerHost,
      name: "e2e-node",
      env: { NGINX_MODE: "local", NGINX_BIN: "/usr/sbin/nginx", NGINX_LISTEN_ADDRESS: "127.0.0.1", NGINX_HTTP_PORT: String(httpPort), NGINX_HTTPS_PORT: String(await freePort()) },
    });
    agents.push(agent);
    await agent.waitForLog(/connected to the control plane/, 60_000);
    const agentId = (JSON.parse(readFileSync(join(agent.dataDir, "agent.json"), "utf8")) as { agentId: string }).agentId;

    // The page keeps its list fresh: the node appears online, with its round trip after a heartbeat.
    const row = page.locator(`[data-testid="agent-row"][data-agent-id="${agentId}"]`);
    await row.and(page.locator('[data-status="online"]')).waitFor({ timeout: 30_000 });
    await row.getByTestId("agent-name").getByText("e2e-node", { exact: true }).waitFor();
    await row.getByText(/^\d+ ms$/).waitFor({ timeout: 40_000 });
    const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
    expect(await row.getByTestId("agent-version").textContent()).toBe(version);
    await tokenRow.getByText("used up").waitFor();
    await screenshots(page, "agents-online");

    // A terminal in a container of the node's engine.
    const id = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-shell`);
    await page.goto(`/containers/${agentId}/${id}?tab=terminal`);
    await waitForHydration(page);
    await page.getByRole("button", { name: "Connect" }).click();
    await page.getByTestId("terminal-status").filter({ hasText: "Connected" }).waitFor();
    await page.keyboard.type("echo remote-$((6*7))\n");
    await page.waitForFunction(() => [...document.querySelectorAll(".xterm-rows > div")].some((r) => r.textContent?.trim() === "remote-42"), undefined, { timeout: 15_000 });

    // A proxy host on the node, created from the page's session (the Proxies page does not pick
    // remote agents yet), served by the node's own nginx.
    const port = (upstream.address() as AddressInfo).port;
    const created = await page.evaluate(
      async ({ agentId, port }) => {
        const res = await fetch(`/api/v1/agents/${agentId}/proxies`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ kind: "proxy", domains: ["e2e-node.test"], upstream: { scheme: "http", host: "127.0.0.1", port } }),
        });
        return { status: res.status, body: (await res.json()) as { status?: { state: string } } };
      },
      { agentId, port },
    );
    expect(created.status).toBe(201);
    expect(created.body.status?.state).toBe("ok");
    expect(await viaNginx(httpPort, "e2e-node.test")).toEqual({ status: 200, body: "served by the node's nginx" });

    // Revoke the used-up token, then remove the agent: each through its confirmation dialog.
    await page.goto("/agents");
    await waitForHydration(page);
    await tokenRow.getByRole("button", { name: "Revoke token e2e rack" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
    await page.getByText("No enrollment tokens").waitFor();

    await row.getByRole("button", { name: "Remove agent e2e-node" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Its credentials are revoked").waitFor();
    await dialog.getByRole("button", { name: "Remove agent" }).click();
    await page.getByText("No agents yet").waitFor();
    // The node is told at once, says why, and stops (exit code 3: revoked).
    expect(await agent.exited).toBe(3);
    expect(agent.output()).toMatch(/deleted by an administrator/);
    browser.assertNoPageErrors();
  }, 240_000);
});

describe("Community: the built-in agent, read-only", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ env: { DOCKER_HOST: dockerHost } });
    await setUpServer(server);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  test("the Agents page lists the built-in agent online, with nothing to enroll or remove", async () => {
    const page = await browser.newPage(server.url);
    await logIn(page);
    await page.goto("/agents");
    await waitForHydration(page);
    const row = page.getByTestId("agent-row");
    await row.and(page.locator('[data-status="online"]')).waitFor();
    await row.getByText("built-in").waitFor();
    await row.getByText(/^\d+\./).first().waitFor();
    expect(await page.getByRole("button", { name: "Create token" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Remove/ }).count()).toBe(0);
    await screenshots(page, "agents-community");
    browser.assertNoPageErrors();
  }, 60_000);
});
