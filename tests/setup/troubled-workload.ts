// What the dashboard and health tests start from: the three things the old health score ignored —
// a crashed container, a proxy host whose upstream does not answer, and firing alerts.
import pg from "pg";
import { inject } from "vitest";
import { localAgentId, runContainer } from "./containers";
import { docker } from "./docker";
import { freePort } from "./postgres";
import type { Client, TestServer } from "./server";

export interface TroubledWorkload {
  /** A loopback port nothing listens on: the proxy host's upstream. */
  deadPort: number;
  proxyId: string;
}

export async function seedTroubledWorkload(
  server: TestServer,
  admin: Client,
  input: { runId: string; crashedName: string; domain: string; alertTargets: string[] },
): Promise<TroubledWorkload> {
  const dockerHost = inject("dockerHost");
  // A container that exits with code 3 at once: a crash, not a requested stop.
  await runContainer(dockerHost, input.runId, input.crashedName, ["sh", "-c", "exit 3"]);
  for (let i = 0; i < 50 && (await docker(dockerHost, ["inspect", "-f", "{{.State.Status}}", input.crashedName])).trim() !== "exited"; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const deadPort = await freePort();
  const agentId = await localAgentId(admin);
  const res = await admin.post(`/api/v1/agents/${agentId}/proxies`, { kind: "proxy", domains: [input.domain], upstream: { scheme: "http", host: "127.0.0.1", port: deadPort } });
  if (res.status !== 201) throw new Error(`creating the proxy host failed: ${res.status} ${await res.text()}`);
  const proxyId = ((await res.json()) as { id: string }).id;
  // Firing alerts as the alerts engine records them (the history rows the Alerts page lists).
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM "Organization" LIMIT 1`);
    for (const target of input.alertTargets) {
      await db.query(
        `INSERT INTO "AlertEvent" (id, "orgId", "ruleName", "ruleType", target, "targetName", state, message) VALUES (gen_random_uuid(), $1, 'CPU over 90 %', 'cpu', $2, $2, 'firing', 'cpu 97 % for 5 minutes')`,
        [rows[0]!.id, target],
      );
    }
  } finally {
    await db.end();
  }
  return { deadPort, proxyId };
}
