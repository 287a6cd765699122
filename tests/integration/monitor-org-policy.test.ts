// Per-organization allowances for monitor checks from the control plane (decision 064), on a real
// PostgreSQL and a real loopback HTTP target: the operator allows one organization to check a
// private address (MONITORS_ORG_ALLOWED_HOSTS); that organization's monitor is saved and checked
// up, while another organization is refused the same target when saving (400 on config.url) and,
// for a target stored before, at every check (down, cause refused).
import { afterAll, beforeAll, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Actor } from "~/server/auth/require.server";
import { ValidationError } from "~/server/errors.server";
import { checkMonitorNow, createMonitor } from "~/server/monitors/monitors.server";
import { parseOrgAllowances } from "~/server/monitors/policy";
import { runMonitorCheck } from "~/server/monitors/run.server";
import { CreateMonitorSchema } from "~/validation/monitors";
import { setupTestDb, type TestDb } from "../setup/db";

let db: TestDb;
let target: Server;
let port: number;
const allowed = randomUUID();
const other = randomUUID();
const actor = (orgId: string): Actor => ({ userId: randomUUID(), orgId, role: "admin", email: "a@example.com", name: "A", mfaEnabled: false, sessionId: "s" });

beforeAll(async () => {
  target = createServer((_req, res) => res.end("ok"));
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  port = (target.address() as AddressInfo).port;
  process.env.MONITORS_ORG_ALLOWED_HOSTS = `${allowed}=127.0.0.1:${port} intranet.example:8443;not-an-org=1.2.3.4`;
  db = await setupTestDb();
  for (const id of [allowed, other]) await db.admin.query(`INSERT INTO "Organization" (id, name, slug) VALUES ($1, 'P', $2)`, [id, `p-${id.slice(0, 8)}`]);
}, 60_000);

afterAll(async () => {
  await db?.close();
  await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
});

test("parses the operator's setting, ignoring what is not an organization id or a host", () => {
  const map = parseOrgAllowances(`${allowed}=127.0.0.1:${port} intranet.example:8443 bad/host;not-an-org=1.2.3.4; ;`);
  expect([...map.entries()]).toEqual([[allowed, [`127.0.0.1:${port}`, "intranet.example:8443"]]]);
});

test("the allowed organization checks its private target; another is refused at save and at every check", async () => {
  const input = CreateMonitorSchema.parse({ name: "intranet", type: "http", intervalSeconds: 86_400, config: { url: `http://127.0.0.1:${port}/` } });
  const mine = await createMonitor(actor(allowed), input);
  expect((await checkMonitorNow(actor(allowed), mine.id)).status).toBe("up");

  const refused = await createMonitor(actor(other), input).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ValidationError);
  expect((refused as ValidationError).fields).toHaveProperty(["config.url"]);

  // A target stored for the other organization (e.g. before the allowance was withdrawn) is refused at the check.
  const { rows } = await db.admin.query<{ id: string; createdAt: Date }>(
    `INSERT INTO "Monitor" (id, "orgId", name, type, config, "intervalSeconds", "channelIds", enabled, status, "updatedAt")
     VALUES (gen_random_uuid(), $1, 'sneaky', 'http', $2, 86400, '{}', true, 'pending', now()) RETURNING id, "createdAt"`,
    [other, JSON.stringify({ url: `http://127.0.0.1:${port}/` })],
  );
  await runMonitorCheck({ id: rows[0]!.id, orgId: other, name: "sneaky", type: "http", config: { url: `http://127.0.0.1:${port}/` }, intervalSeconds: 86_400, createdAt: rows[0]!.createdAt });
  const { rows: results } = await db.admin.query(`SELECT ok, message FROM "MonitorResult" WHERE "monitorId" = $1`, [rows[0]!.id]);
  expect(results).toHaveLength(1);
  expect(results[0].ok).toBe(false);
  expect(results[0].message).toMatch(/refused/);
});
