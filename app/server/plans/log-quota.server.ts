// SaaS: the monthly log volume of an organization's plan, enforced where logs are stored
// (decision 095). One quota object per organization and process, shared by all its log writers:
// it knows the plan's allowance and the month's stored bytes from one query every REFRESH_MS
// (LogUsage already sums bytes per day), and counts what it admits in memory in between, so the
// hot path is arithmetic, never a query per line or per batch.
//
// Past the allowance the organization's lines are not stored: each source (container or proxy
// host) gets one visible marker line saying so, and the refused lines and bytes are counted per
// day in LogUsage.droppedLines/droppedBytes (written at most once a second), which the plan API
// and the logs page show. A plan change (operator, billing) calls refreshLogQuota and storage
// resumes at once; a new month starts over.
import { appPool, withOrgClient, type Queryable } from "../db/pg-pool.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";
import type { StoredLogInput } from "../logs/log-writer.server";
import { formatBytes, isPlanName, monthKey, nextMonthStart, PLAN_LABELS, planLimits, type PlanName } from "./plans";

const REFRESH_MS = 30_000;
const FLUSH_MS = 1_000;

const STATE_SQL = `
SELECT o."plan"::text AS plan,
       COALESCE((SELECT sum(u."bytes") FROM "LogUsage" u WHERE u."orgId" = o."id" AND u."day" >= $2::date), 0)::text AS used
  FROM "Organization" o WHERE o."id" = $1`;

const DROPPED_SQL = `
INSERT INTO "LogUsage" AS u ("orgId", "day", "droppedLines", "droppedBytes")
SELECT $1, * FROM unnest($2::date[], $3::bigint[], $4::bigint[])
ON CONFLICT ("orgId", "day") DO UPDATE SET "droppedLines" = u."droppedLines" + EXCLUDED."droppedLines", "droppedBytes" = u."droppedBytes" + EXCLUDED."droppedBytes"`;

/** What octet_length would count for a stored message (NUL is dropped before storing). */
function messageBytes(message: string): number {
  return Buffer.byteLength(message.includes("\0") ? message.replaceAll("\0", "") : message, "utf8");
}

/** Pure: the line that tells whoever reads a source's logs that storage stopped, and why. */
export function quotaMarkerLine(line: StoredLogInput, plan: PlanName, now: Date): StoredLogInput {
  const resume = nextMonthStart(now).toISOString().slice(0, 10);
  return {
    ...line,
    stream: line.proxyHostId ? "error" : "stderr",
    level: "warn",
    message:
      `[InfraPilot] Log storage paused: this organization used the ${formatBytes(planLimits(plan).logBytesPerMonth)} of logs its ${PLAN_LABELS[plan]} plan allows for ${monthKey(now)}. ` +
      `Later lines are not stored until ${resume} or until the organization moves to a larger plan; they are counted in the plan's usage.`,
  };
}

export interface LogQuotaOptions {
  pool?: Queryable;
  now?: () => Date;
}

export class LogQuota {
  private plan: PlanName = "free";
  private allowance = Number.POSITIVE_INFINITY;
  private used = 0;
  private month = "";
  private refreshedAt = 0;
  private stale = true;
  private over = false;
  private readonly marked = new Set<string>();
  private readonly dropped = new Map<string, [number, number]>();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly pool: Queryable;
  private readonly now: () => Date;

  constructor(
    readonly orgId: string,
    options: LogQuotaOptions = {},
  ) {
    this.pool = options.pool ?? appPool();
    this.now = options.now ?? (() => new Date());
  }

  /** Bytes counted this month (stored, or admitted and being stored), and whether storage stopped. */
  get state(): { plan: PlanName; used: number; allowance: number; over: boolean } {
    return { plan: this.plan, used: this.used, allowance: this.allowance, over: this.over };
  }

  /** Reads the plan and the month's usage again before the next batch (after a plan change). */
  invalidate(): void {
    this.stale = true;
  }

  private async refreshIfDue(now: Date): Promise<void> {
    const month = monthKey(now);
    if (!this.stale && month === this.month && now.getTime() - this.refreshedAt < REFRESH_MS) return;
    const monthStart = `${month}-01`;
    const row = await withOrgClient(this.orgId, async (c) => (await c.query<{ plan: string; used: string }>(STATE_SQL, [this.orgId, monthStart])).rows[0], this.pool);
    const plan = isPlanName(row?.plan) ? row.plan : "free";
    const stored = Number(row?.used ?? 0);
    // Lines admitted but not committed yet are in `used` and not in the table: keep the larger.
    this.used = month === this.month ? Math.max(stored, this.used) : stored;
    this.plan = plan;
    this.allowance = planLimits(plan).logBytesPerMonth;
    this.month = month;
    this.refreshedAt = now.getTime();
    this.stale = false;
    const over = this.used >= this.allowance;
    if (this.over && !over) {
      this.marked.clear();
      logger.info("log storage resumed: the plan allows more this month", { orgId: this.orgId, plan });
    }
    this.over = over;
  }

  /** The lines to store, in order: all of them while the month's allowance lasts. */
  async admit(lines: StoredLogInput[]): Promise<StoredLogInput[]> {
    const now = this.now();
    await this.refreshIfDue(now);
    let batch = 0;
    for (const l of lines) batch += messageBytes(l.message);
    if (!this.over && this.used + batch <= this.allowance) {
      this.used += batch;
      return lines;
    }
    const kept: StoredLogInput[] = [];
    for (const line of lines) {
      const bytes = messageBytes(line.message);
      if (!this.over && this.used + bytes <= this.allowance) {
        this.used += bytes;
        kept.push(line);
        continue;
      }
      if (!this.over) logger.warn("log storage paused: monthly plan volume used up", { orgId: this.orgId, plan: this.plan, allowance: this.allowance });
      this.over = true;
      const day = line.time.slice(0, 10);
      const entry = this.dropped.get(day) ?? [0, 0];
      entry[0]++;
      entry[1] += bytes;
      this.dropped.set(day, entry);
      const source = line.proxyHostId ? `proxy:${line.proxyHostId}` : `container:${line.containerId ?? ""}`;
      if (!this.marked.has(source)) {
        this.marked.add(source);
        kept.push(quotaMarkerLine(line, this.plan, now));
      }
    }
    this.scheduleFlush();
    return kept;
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.dropped.size === 0) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, FLUSH_MS);
    this.flushTimer.unref();
  }

  /** Writes the refused-line counters now (one upsert for all days). */
  flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.dropped.size === 0) return this.flushing;
    const entries = [...this.dropped.entries()];
    this.dropped.clear();
    const run = async () => {
      try {
        await withOrgClient(this.orgId, (c) => c.query(DROPPED_SQL, [this.orgId, entries.map((e) => e[0]), entries.map((e) => e[1][0]), entries.map((e) => e[1][1])]), this.pool);
      } catch (error) {
        // Counted again next time rather than lost.
        for (const [day, [n, b]] of entries) {
          const entry = this.dropped.get(day) ?? [0, 0];
          this.dropped.set(day, [entry[0] + n, entry[1] + b]);
        }
        this.scheduleFlush();
        logger.warn("refused log volume not counted yet; retrying", { orgId: this.orgId, error: String(error) });
      }
    };
    this.flushing = this.flushing.then(run);
    return this.flushing;
  }
}

const quotas = () => singleton("logs:quotas", () => new Map<string, LogQuota>());

/** The organization's shared quota (SaaS log writers use it by default). */
export function logQuotaFor(orgId: string, pool?: Queryable): LogQuota {
  let quota = quotas().get(orgId);
  if (!quota) quotas().set(orgId, (quota = new LogQuota(orgId, { pool })));
  return quota;
}

/** After a plan change: the next batch reads the new allowance (storage resumes if it now fits). */
export function refreshLogQuota(orgId: string): void {
  quotas().get(orgId)?.invalidate();
}
