// Plans at the domain level against real Postgres: the monthly log volume enforced where logs are
// stored (the writer stops storing, leaves one marker per source and counts what it refused; a
// plan change resumes storage), retention capped by the plan in the retention function, and the
// platform-only tables and functions invisible to tenant transactions.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { setupTestDb, type TestDb } from "../setup/db";
import type { Actor } from "~/server/auth/require.server";
import { systemDb, withOrg } from "~/server/db/client.server";
import { appPool, withOrgClient } from "~/server/db/pg-pool.server";
import { LogWriter, toMicrosIso, type StoredLogInput } from "~/server/logs/log-writer.server";
import { listLogs } from "~/server/logs/log-query.server";
import { LogQuota } from "~/server/plans/log-quota.server";
import { planLimits, PLANS } from "~/plans";
import { withPlatform } from "~/server/platform/platform-db.server";

let db: TestDb;
const GiB = 1024 ** 3;
const actor = (orgId: string): Actor => ({ userId: randomUUID(), orgId, role: "admin", email: "a@example.com", name: "A", mfaEnabled: false, sessionId: "s" });

async function org(plan: "free" | "team" | "business" = "free"): Promise<string> {
  const id = randomUUID();
  await withOrg(id, (tx) => tx.organization.create({ data: { id, name: `Org ${id.slice(0, 4)}`, slug: `o-${id.slice(0, 8)}`, plan } }));
  return id;
}

function line(container: string, message: string, at = Date.now()): StoredLogInput {
  return { time: toMicrosIso(new Date(at).toISOString()), agentId: null, containerId: container, containerName: container, stack: null, proxyHostId: null, stream: "stdout", level: "info", message };
}

async function usageToday(orgId: string) {
  const { rows } = await db.admin.query(`SELECT "bytes"::bigint AS bytes, "droppedLines"::int AS "droppedLines", "droppedBytes"::bigint AS "droppedBytes" FROM "LogUsage" WHERE "orgId" = $1 AND "day" = (now() AT TIME ZONE 'UTC')::date`, [orgId]);
  return rows[0] as { bytes: string; droppedLines: number; droppedBytes: string } | undefined;
}

beforeAll(async () => {
  db = await setupTestDb();
});
afterAll(async () => {
  await appPool().end().catch(() => {});
  await db?.close();
});

describe("the monthly log volume", () => {
  test("past the plan's bytes the writer stores nothing more, leaves one marker per source and counts the refused lines", async () => {
    const orgId = await org("free");
    // This month already used all but 100 bytes of the Free plan's 1 GiB.
    await db.admin.query(`INSERT INTO "LogUsage" ("orgId", "day", "lines", "bytes") VALUES ($1, (now() AT TIME ZONE 'UTC')::date, 1000, $2)`, [orgId, GiB - 100]);
    const quota = new LogQuota(orgId);
    const writer = new LogWriter(orgId, { flushMs: 10, quota });
    const t = Date.now() - 10_000;
    // Ten 30-byte lines: three fit in the 100 bytes left.
    await writer.push(Array.from({ length: 10 }, (_, i) => line("web", `line ${String(i).padStart(2, "0")} ${"x".repeat(22)}`, t + i)));
    await writer.push([line("worker", `worker line ${"y".repeat(18)}`, t + 20)]);
    await writer.close();

    const stored = (await listLogs(actor(orgId), {}, { limit: 100 })).items.map((l) => l.message);
    expect(stored.filter((m) => m.startsWith("line "))).toHaveLength(3);
    const markers = stored.filter((m) => m.includes("Log storage paused"));
    expect(markers).toHaveLength(2); // one for "web", one for "worker"
    expect(markers[0]).toMatch(/1 GiB of logs its Free plan allows.*larger plan/);
    const usage = await usageToday(orgId);
    expect(usage?.droppedLines).toBe(8);
    expect(Number(usage?.droppedBytes)).toBe(7 * 30 + 30);
    expect(quota.state.over).toBe(true);
  });

  test("a larger plan resumes storage at once", async () => {
    const orgId = await org("free");
    await db.admin.query(`INSERT INTO "LogUsage" ("orgId", "day", "lines", "bytes") VALUES ($1, (now() AT TIME ZONE 'UTC')::date, 1, $2)`, [orgId, GiB]);
    const quota = new LogQuota(orgId);
    const writer = new LogWriter(orgId, { flushMs: 10, quota });
    await writer.push([line("web", "refused")]);
    await writer.drain();
    await db.admin.query(`UPDATE "Organization" SET plan = 'team' WHERE id = $1`, [orgId]);
    quota.invalidate();
    await writer.push([line("web", "stored again")]);
    await writer.close();
    const stored = (await listLogs(actor(orgId), {}, { limit: 10 })).items.map((l) => l.message);
    expect(stored).toContain("stored again");
    expect(stored).not.toContain("refused");
    expect(quota.state).toMatchObject({ plan: "team", over: false, allowance: planLimits("team").logBytesPerMonth });
  });

  test("Community writers have no quota", () => {
    expect(new LogWriter(randomUUID(), { flushMs: 10 }).quota).toBeNull();
  });
});

describe("retention capped by the plan", () => {
  test("a Free organization that chose 30 days keeps 7; a Team one keeps its 30", async () => {
    const free = await org("free");
    const team = await org("team");
    const day = 86_400_000;
    for (const id of [free, team]) {
      await withOrg(id, (tx) => tx.setting.create({ data: { orgId: id, key: "logs.retentionDays", value: 30 } }));
      const writer = new LogWriter(id, { flushMs: 10, quota: null });
      await writer.push([line("old", "ten days old", Date.now() - 10 * day), line("old", "today")]);
      await writer.close();
    }
    const caps = JSON.stringify(Object.fromEntries(PLANS.map((p) => [p, planLimits(p).logRetentionDays])));
    await appPool().query("SELECT * FROM log_line_apply_retention($1, $2::jsonb)", [7, caps]);
    expect((await listLogs(actor(free), {}, {})).items.map((l) => l.message)).toEqual(["today"]);
    expect((await listLogs(actor(team), {}, {})).items.map((l) => l.message).sort()).toEqual(["ten days old", "today"]);
  });
});

describe("platform-only data", () => {
  test("the platform audit trail and the organization summary are invisible to tenant transactions", async () => {
    const orgId = await org();
    await withPlatform((tx) => tx.platformAuditLog.create({ data: { action: "org.suspend", actorEmail: "ops@example.com", targetOrgId: orgId } }));
    expect(await withOrg(orgId, (tx) => tx.platformAuditLog.count())).toBe(0);
    expect((await systemDb().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "PlatformAuditLog"`)[0]!.n).toBe(0n);
    await expect(withOrg(orgId, (tx) => tx.platformAuditLog.create({ data: { action: "forged", actorEmail: "x@example.com" } }))).rejects.toThrow();
    await expect(withOrgClient(orgId, (c) => c.query("SELECT * FROM platform_org_summaries()"))).rejects.toThrow(/only the platform operator/);
    expect(await withPlatform((tx) => tx.platformAuditLog.count())).toBe(1);
    const rows = await withPlatform((tx) => tx.$queryRaw<{ id: string }[]>`SELECT id FROM platform_org_summaries()`);
    expect(rows.map((r) => r.id)).toContain(orgId);
  });
});
