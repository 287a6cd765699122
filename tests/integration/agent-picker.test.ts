// The SaaS pages address agents explicitly (docs/decisions/120): with the real standalone agent
// (tsx agent/main.ts) connected to a real server (EDITION=saas, no Docker engine of its own), an
// organization's Containers, Images and Health pages show the node's engine; another organization
// choosing that agent gets 404; an offline agent is said at once; an organization without agents
// gets the empty state; the choice is remembered for the navigation.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { removeTestContainers } from "../setup/docker";
import { runContainer } from "../setup/containers";
import { saasOwnerClient, startAgent, type AgentProcess } from "../setup/saas";
import { startServer, type Client, type TestServer, serverSql } from "../setup/server";

const RUN_ID = `picker-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
let server: TestServer;
let owner: Client;
let orgId: string;
let agent: AgentProcess | undefined;
let agentId: string;
let containerName: string;

const sql = (text: string, values: unknown[] = []) => serverSql(server, text, values);

async function page(client: Client, path: string): Promise<{ status: number; html: string }> {
  const res = await client.request(path);
  return { status: res.status, html: await res.text() };
}

beforeAll(async () => {
  // No engine for the control plane: whatever the pages show came through the agent.
  server = await startServer({ env: { EDITION: "saas", DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
  ({ client: owner, orgId } = await saasOwnerClient(server, "picker"));
}, 120_000);

afterAll(async () => {
  await agent?.stop("SIGKILL");
  await server?.stop();
  await removeTestContainers(dockerHost, RUN_ID);
});

describe("an organization without agents", () => {
  test("the agent-scoped pages say how to add one instead of failing", async () => {
    for (const path of ["/containers", "/images", "/volumes", "/networks", "/proxies", "/logs?range=live"]) {
      const { status, html } = await page(owner, path);
      expect(status, `${path}: ${html.slice(0, 200)}`).toBe(200);
      expect(html, path).toContain('data-testid="no-agents"');
      expect(html, path).toContain("Create an enrollment token");
    }
    const dashboard = await page(owner, "/dashboard");
    expect(dashboard.status).toBe(200);
    expect(dashboard.html).toContain('data-testid="no-agents"');
    const health = await owner.request("/api/v1/health");
    expect(health.status).toBe(200);
    const body = (await health.json()) as { areas: { docker: { status: string; reasons: string[] } } };
    expect(body.areas.docker.status).toBe("fail");
    expect(body.areas.docker.reasons.join(" ")).toMatch(/no agent yet/i);
  });
});

describe("with the real agent connected", () => {
  beforeAll(async () => {
    const created = await owner.post("/api/v1/agents/enrollment-tokens", { name: "picker node", maxUses: 1, expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };
    agent = startAgent({ serverUrl: server.url, token: secret, dockerHost, name: `edge-${RUN_ID.slice(-6)}` });
    await agent.waitForLog(/connected to the control plane/, 60_000);
    agentId = JSON.parse(readFileSync(join(agent.dataDir, "agent.json"), "utf8")).agentId;
    containerName = `${RUN_ID}-web`;
    await runContainer(dockerHost, RUN_ID, containerName);
  }, 90_000);

  test("the Containers page lists the remote agent's containers, picked by default (the organization's only agent)", async () => {
    const { status, html } = await page(owner, "/containers");
    expect(status, html.slice(0, 300)).toBe(200);
    expect(html).toContain(containerName);
    expect(html).toContain('data-testid="agent-picker"');
    expect(html).toContain(`edge-${RUN_ID.slice(-6)}`);
    // The detail page of that container goes through the same agent, and leads back to its list.
    const list = (await (await owner.request(`/api/v1/agents/${agentId}/containers?all=true`)).json()) as { items: { id: string; name: string }[] };
    const item = list.items.find((c) => c.name === containerName)!;
    const detail = await page(owner, `/containers/${agentId}/${item.id}`);
    expect(detail.status).toBe(200);
    expect(detail.html).toContain(`/containers?agent=${agentId}`);
  });

  test("Images and Health show the node's engine through the same agent", async () => {
    const images = await page(owner, `/images?agent=${agentId}`);
    expect(images.status).toBe(200);
    expect(images.html).toMatch(/busybox/);
    const health = await owner.request(`/api/v1/health?agentId=${agentId}`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { areas: { docker: { status: string; reasons: string[] } } };
    expect(body.areas.docker.status, body.areas.docker.reasons.join("; ")).not.toBe("fail");
  });

  test("another organization naming this agent gets 404 on the page and the API, and sees none of its containers", async () => {
    const { client: other } = await saasOwnerClient(server, "other");
    for (const path of [`/containers?agent=${agentId}`, `/images?agent=${agentId}`, `/proxies?agent=${agentId}`, `/logs?agent=${agentId}`, `/health?agent=${agentId}`, `/dashboard?agent=${agentId}`]) {
      const { status, html } = await page(other, path);
      expect(status, path).toBe(404);
      expect(html, path).not.toContain(containerName);
    }
    expect((await other.request(`/api/v1/health?agentId=${agentId}`)).status).toBe(404);
    const own = await page(other, "/containers");
    expect(own.html).not.toContain(containerName);
  });

  test("a chosen agent is remembered for the navigation; the choice of another organization's id is not", async () => {
    // A second agent of the organization, enrolled but never connected.
    const spare = (await sql(`INSERT INTO "Agent" (id, "orgId", name, kind) VALUES (gen_random_uuid(), $1, 'zz-spare', 'remote') RETURNING id`, [orgId])).rows[0].id as string;
    try {
      const chosen = await page(owner, `/containers?agent=${spare}`);
      expect(chosen.status).toBe(200);
      expect(owner.cookies.get("infrapilot_agent")).toContain(spare);
      // Plain navigation keeps the spare agent: it is offline, said at once (no hang, no engine call).
      const started = Date.now();
      const next = await page(owner, "/containers");
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(next.status).toBe(200);
      expect(next.html).toContain('data-testid="agent-offline"');
      expect(next.html).toMatch(/zz-spare is offline/);
      expect(next.html).not.toContain(containerName);
      // The API says the same with 503 agent_offline.
      const api = await owner.request(`/api/v1/agents/${spare}/containers`);
      expect(api.status).toBe(503);
      expect(((await api.json()) as { error: { code: string } }).error.code).toBe("agent_offline");
      // Choosing the connected agent again brings its containers back.
      expect((await page(owner, `/containers?agent=${agentId}`)).html).toContain(containerName);
      expect((await page(owner, "/containers")).html).toContain(containerName);
    } finally {
      await sql(`DELETE FROM "Agent" WHERE id = $1`, [spare]);
    }
  });

  test("when the node goes away, its pages say it is offline at once instead of hanging", async () => {
    await agent!.stop("SIGTERM");
    const deadline = Date.now() + 30_000;
    let html = "";
    while (Date.now() < deadline) {
      html = (await page(owner, `/containers?agent=${agentId}`)).html;
      if (html.includes('data-testid="agent-offline"')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(html).toContain('data-testid="agent-offline"');
    const started = Date.now();
    for (const path of ["/images", "/proxies", "/logs", "/dashboard", "/health"]) {
      const { status } = await page(owner, `${path}?agent=${agentId}`);
      expect(status, path).toBe(200);
    }
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
