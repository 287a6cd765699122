// Per-organization retention and usage of persisted logs, and the two periodic jobs that keep
// the partitioned table in shape: partitions created ahead, closed days given their trigram
// index, expired days dropped.
import { auditInTx } from "../audit/audit.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import { appPool, withOrgClient, type Queryable } from "../db/pg-pool.server";
import { logger } from "../logger.server";
import { ensurePartitions } from "./log-writer.server";
import { edition } from "../edition.server";
import { PlanLimitError } from "../errors.server";
import { PLAN_LABELS, PLANS, planLimits } from "../plans/plans";

export const RETENTION_KEY = "logs.retentionDays";
export const DEFAULT_RETENTION_DAYS = 7;
/** Days of partitions kept ready ahead of today. */
const PARTITIONS_AHEAD = 3;

export interface LogSettings {
  retentionDays: number;
}

function days(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : DEFAULT_RETENTION_DAYS;
}

export async function getLogSettings(actor: Actor): Promise<LogSettings> {
  assertPermission(actor, "read:logs");
  const row = await withOrg(actor.orgId, (tx) => tx.setting.findUnique({ where: { orgId_key: { orgId: actor.orgId, key: RETENTION_KEY } }, select: { value: true } }));
  return { retentionDays: days(row?.value) };
}

export async function updateLogSettings(actor: Actor, input: LogSettings): Promise<LogSettings> {
  assertPermission(actor, "manage:settings");
  await withOrg(actor.orgId, async (tx) => {
    if (edition() === "saas") {
      const org = await tx.organization.findUniqueOrThrow({ where: { id: actor.orgId }, select: { plan: true } });
      const cap = planLimits(org.plan).logRetentionDays;
      if (input.retentionDays > cap) {
        throw new PlanLimitError(`The ${PLAN_LABELS[org.plan]} plan keeps logs for at most ${cap} days. Choose ${cap} days or fewer, or move the organization to a larger plan.`, "logRetentionDays", cap);
      }
    }
    const where = { orgId_key: { orgId: actor.orgId, key: RETENTION_KEY } };
    const before = await tx.setting.findUnique({ where, select: { value: true } });
    await tx.setting.upsert({ where, create: { orgId: actor.orgId, key: RETENTION_KEY, value: input.retentionDays }, update: { value: input.retentionDays } });
    await auditInTx(tx, {
      orgId: actor.orgId,
      action: "settings.logs.update",
      outcome: "success",
      actorId: actor.userId,
      actorEmail: actor.email,
      targetType: "setting",
      targetId: RETENTION_KEY,
      ip: actor.ip,
      userAgent: actor.userAgent,
      details: { retentionDays: input.retentionDays, previous: days(before?.value) },
    });
  });
  return { retentionDays: input.retentionDays };
}

export interface UsageDay {
  date: string;
  lines: number;
  bytes: number;
}

/** Lines and bytes ingested per UTC day, newest first (the last `days` days). */
export async function getLogUsage(actor: Actor, options: { days?: number } = {}, pool: Queryable = appPool()): Promise<{ items: UsageDay[]; nextCursor: null }> {
  assertPermission(actor, "read:logs");
  const span = Math.min(Math.max(options.days ?? 90, 1), 400);
  const rows = await withOrgClient(
    actor.orgId,
    async (client) =>
      (
        await client.query<{ date: string; lines: string; bytes: string }>(
          `SELECT to_char("day", 'YYYY-MM-DD') AS "date", "lines"::text, "bytes"::text FROM "LogUsage"
            WHERE "day" > (now() AT TIME ZONE 'UTC')::date - $1::int ORDER BY "day" DESC`,
          [span],
        )
      ).rows,
    pool,
  );
  return { items: rows.map((r) => ({ date: r.date, lines: Number(r.lines), bytes: Number(r.bytes) })), nextCursor: null };
}

/** Creates the partitions for yesterday through a few days ahead (idempotent). */
export async function createLogPartitionsAhead(pool: Queryable = appPool()): Promise<void> {
  const today = new Date();
  const day = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  await ensurePartitions(pool, day(-1), day(PARTITIONS_AHEAD));
}

/**
 * Builds the trigram search indexes that are due (decision 030): the full index of every closed
 * day partition lacking it (yesterday once the day has ended, older days created late; this also
 * drops the day's hourly indexes), then a partial index for each ended hour of the open day. One
 * index per transaction. Idempotent; returns how many were built.
 */
export async function indexClosedLogPartitions(pool: Queryable = appPool()): Promise<{ days: number; hours: number }> {
  const loop = async (sql: string) => {
    let built = 0;
    for (;;) {
      const { rows } = await pool.query<{ built: number }>(sql);
      if (!rows[0]?.built) return built;
      built += rows[0].built;
    }
  };
  const days = await loop("SELECT log_line_index_closed_partitions(1) AS built");
  const hours = await loop("SELECT log_line_index_closed_hours(1) AS built");
  if (days || hours) logger.info("log search indexes built", { days, hours });
  return { days, hours };
}

/** Drops expired day partitions and deletes expired rows of every organization. */
export async function applyLogRetention(pool: Queryable = appPool()): Promise<{ droppedPartitions: number; deletedRows: number }> {
  // SaaS: each plan caps the retention an organization may keep (decision 095).
  const caps = edition() === "saas" ? JSON.stringify(Object.fromEntries(PLANS.map((p) => [p, planLimits(p).logRetentionDays]))) : null;
  const { rows } = await pool.query<{ dropped_partitions: number; deleted_rows: string }>("SELECT * FROM log_line_apply_retention($1, $2::jsonb)", [DEFAULT_RETENTION_DAYS, caps]);
  const result = { droppedPartitions: Number(rows[0]?.dropped_partitions ?? 0), deletedRows: Number(rows[0]?.deleted_rows ?? 0) };
  if (result.droppedPartitions || result.deletedRows) logger.info("log retention applied", result);
  return result;
}
