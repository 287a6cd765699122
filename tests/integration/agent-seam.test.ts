// The agent seam (docs/decisions/054): domain code reaches a host only through the agent id it was
// given. A remote agent's id must never be served by the built-in agent's nginx or probes, render
// settings come from the agent's facts, and proxy logs come from the agent's log source — not
// from this process's environment or disk. Real PostgreSQL; the built-in nginx is configured but
// must stay untouched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../setup/postgres";

const confDir = mkdtempSync(join(tmpdir(), "infrapilot-seam-nginx-"));
process.env.NGINX_BIN = "/usr/sbin/nginx";
process.env.NGINX_CONF_DIR = confDir;
process.env.NGINX_HTTP_PORT = String(await freePort());
process.env.NGINX_HTTPS_PORT = String(await freePort());
process.env.NGINX_LISTEN_ADDRESS = "127.0.0.1";
process.env.DOCKER_HOST = "unix:///nonexistent/docker.sock";
process.env.DATA_DIR = mkdtempSync(join(tmpdir(), "infrapilot-seam-data-"));

const { setupTestDb } = await import("../setup/db");
const { withOrg } = await import("~/server/db/client.server");
const { applierFor } = await import("~/server/proxy/appliers.server");
const { requestApply, renderSettings } = await import("~/server/proxy/apply.server");
const { upstreamReachability } = await import("~/server/proxy/reachability.server");
const { startProxyLogShipper } = await import("~/server/logs/proxy-log.server");
const { queryLogPage } = await import("~/server/logs/log-query.server");
const { PrefixLogSource } = await import("#agent/nginx/log-source");
const { localNginx } = await import("~/server/agents/local-host.server");
type Actor = import("~/server/auth/require.server").Actor;

let db: Awaited<ReturnType<typeof setupTestDb>>;
const orgId = randomUUID();
const superAdmin = { userId: randomUUID(), orgId, role: "super_admin", email: "root@example.com", name: "Root", mfaEnabled: false, sessionId: "s" } as Actor;
let localId: string;
let remoteId: string;

beforeAll(async () => {
  db = await setupTestDb();
  ({ localId, remoteId } = await withOrg(orgId, async (tx) => {
    await tx.organization.create({ data: { id: orgId, name: "Seam org", slug: `seam-${orgId.slice(0, 8)}` } });
    const local = await tx.agent.create({ data: { orgId, name: "local" } });
    const remote = await tx.agent.create({ data: { orgId, name: "node-1", kind: "remote" } });
    return { localId: local.id, remoteId: remote.id };
  }));
});

afterAll(async () => {
  await localNginx().stop();
  await db?.close();
});

describe("a remote agent's id is never served by the built-in agent", () => {
  it("refuses the nginx applier of a remote agent with 503 agent_unavailable instead of handing out the built-in nginx", async () => {
    await expect(applierFor(superAdmin, remoteId)).rejects.toMatchObject({ status: 503, code: "agent_unavailable" });
    // The built-in agent's id still resolves to the built-in nginx.
    await expect(applierFor(superAdmin, localId)).resolves.toBe(localNginx());
  });

  it("refuses to apply a remote agent's hosts on the built-in nginx: the apply fails with the reason and the built-in tree stays untouched", async () => {
    const outcome = await requestApply(orgId, remoteId);
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/Remote agents are not available in this edition/);
    expect((await localNginx().status()).generation).toBeNull();
  });

  it("refuses upstream probes for a remote agent with 503 agent_unavailable instead of probing from the control plane", async () => {
    await expect(upstreamReachability(superAdmin, remoteId)).rejects.toMatchObject({ status: 503, code: "agent_unavailable" });
  });
});

describe("host facts come from the agent", () => {
  it("renders nginx's listen address, ports, resolver and user from the agent's facts, not the control plane's environment", () => {
    const settings = renderSettings({ mode: "container", listenAddress: "10.1.2.3", httpPort: 8081, httpsPort: 8443, resolver: "127.0.0.11", user: "nginx" }, { mode: "404" });
    expect(settings).toEqual({ listenAddress: "10.1.2.3", httpPort: 8081, httpsPort: 8443, resolver: "127.0.0.11", user: "nginx", defaultSite: { mode: "404" } });
  });

  it("ships proxy logs read through the agent's log source, not from NGINX_CONF_DIR", async () => {
    const hostId = await withOrg(orgId, async (tx) => (await tx.proxyHost.create({ data: { orgId, agentId: localId, domains: ["seam.example.com"], config: {} } })).id);
    // The agent's nginx prefix is elsewhere than this process's NGINX_CONF_DIR.
    const prefix = mkdtempSync(join(tmpdir(), "infrapilot-seam-agent-prefix-"));
    const shipper = await startProxyLogShipper({ orgId, logs: new PrefixLogSource(prefix), offsetsFile: join(process.env.DATA_DIR!, "seam-offsets.json"), pollMs: 60_000 });
    try {
      await shipper.tailer.pollNow();
      mkdirSync(join(prefix, "logs", "hosts"), { recursive: true });
      const line = JSON.stringify({ msec: (Date.now() / 1000).toFixed(3), status: "200", request: "GET /through-the-agent HTTP/1.1" });
      writeFileSync(join(prefix, "logs", "hosts", `${hostId}.access.log`), `${line}\n`);
      await shipper.tailer.pollNow();
      const page = await queryLogPage(orgId, { proxyHostId: hostId });
      expect(page.items.map((l) => l.message)).toEqual([line]);
      expect(page.items[0]).toMatchObject({ stream: "access" });
    } finally {
      await shipper.stop();
    }
  });
});
