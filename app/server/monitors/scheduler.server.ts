// Runs the monitors' checks (decision 060). One replica at a time: the scheduler holds a
// session-level advisory lock on a dedicated connection while it leads; the others retry.
// The set of monitors is reloaded when a verb in this process changed one and every 30 s
// (changes made on another replica); a 250 ms tick starts what is due (scheduler-core.ts).
import type { PoolClient } from "pg";
import { appPool } from "../db/pg-pool.server";
import { systemDb, withOrg } from "../db/client.server";
import { logger } from "../logger.server";
import { announce, checkMonitor, recordOutcomes, type CheckableMonitor, type CheckedMonitor } from "./run.server";
import { SchedulerCore } from "./scheduler-core";
import { monitorsVersion } from "./version.server";
import { SUPPORTED_MONITOR_TYPES } from "~/validation/monitors";

const LEADER_LOCK = 7_126_060;
const TICK_MS = 250;
const RELOAD_MS = 30_000;
const LEADER_RETRY_MS = 15_000;
export const MONITOR_CONCURRENCY = 64;

type Scheduled = CheckableMonitor;

/**
 * Results wait here between ticks and are written per organization in one transaction
 * (recordOutcomes). A check's concurrency slot is freed when its network part ends, not when its
 * row is written: at 2,000 monitors per 20 s, a transaction per check kept slots busy waiting for
 * pool connections and made checks start seconds late (docs/benchmarks.md, monitors).
 */
export class ResultBatcher {
  private queues = new Map<string, CheckedMonitor[]>();
  private flushing: Promise<void> | null = null;

  add(item: CheckedMonitor): void {
    const q = this.queues.get(item.monitor.orgId);
    if (q) q.push(item);
    else this.queues.set(item.monitor.orgId, [item]);
  }

  get pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Writes what is queued; one flush at a time (a flush still running makes this one a no-op). */
  flush(): Promise<void> {
    if (this.flushing || !this.queues.size) return this.flushing ?? Promise.resolve();
    const queues = this.queues;
    this.queues = new Map();
    this.flushing = (async () => {
      for (const [orgId, items] of queues) {
        try {
          const announcements = await recordOutcomes(orgId, items);
          if (announcements.length) void announce(orgId, announcements).catch((error) => logger.warn("monitor notification failed", { orgId, error }));
        } catch (error) {
          logger.warn("monitor results could not be recorded", { orgId, count: items.length, error });
        }
      }
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }
}

async function loadMonitors(): Promise<Scheduled[]> {
  const orgs = await systemDb().$queryRaw<{ orgId: string }[]>`SELECT "orgId" FROM monitor_org_ids()`;
  const all: Scheduled[] = [];
  for (const { orgId } of orgs) {
    const rows = await withOrg(orgId, (tx) =>
      tx.monitor.findMany({
        where: { orgId, enabled: true, type: { in: [...SUPPORTED_MONITOR_TYPES] } },
        select: { id: true, orgId: true, name: true, type: true, config: true, intervalSeconds: true, createdAt: true, agentId: true },
      }),
    );
    all.push(...rows);
  }
  return all;
}

export interface SchedulerOptions {
  concurrency?: number;
  /** Called as each check starts with how late it is against its grid point (bench/monitors.ts). */
  onStart?: (lateMs: number) => void;
}

export function startMonitorScheduler(options: SchedulerOptions = {}): () => void {
  const core = new SchedulerCore<Scheduled>(options.concurrency ?? MONITOR_CONCURRENCY);
  const batcher = new ResultBatcher();
  let stopped = false;
  let leader: PoolClient | null = null;
  let loadedVersion = -1;
  let loadedAt = 0;
  let loading = false;
  let leaderTimer: NodeJS.Timeout | undefined;

  const loseLeadership = () => {
    const client = leader;
    leader = null;
    client?.release(true);
    if (!stopped) leaderTimer = setTimeout(tryLead, LEADER_RETRY_MS).unref();
  };

  async function tryLead(): Promise<void> {
    if (stopped) return;
    let client: PoolClient | undefined;
    try {
      client = await appPool().connect();
      const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [LEADER_LOCK]);
      if (!rows[0]?.locked || stopped) {
        client.release();
        if (!stopped) leaderTimer = setTimeout(tryLead, LEADER_RETRY_MS).unref();
        return;
      }
      leader = client;
      // A broken connection releases the lock on the server side: stop and try again.
      client.on("error", () => leader === client && loseLeadership());
      loadedVersion = -1;
    } catch (error) {
      logger.debug("monitor scheduler: could not take the lead", { error });
      client?.release(true);
      if (!stopped) leaderTimer = setTimeout(tryLead, LEADER_RETRY_MS).unref();
    }
  }

  async function reload(now: number): Promise<void> {
    if (loading) return;
    loading = true;
    const version = monitorsVersion();
    try {
      core.sync(await loadMonitors(), now);
      loadedVersion = version;
      loadedAt = now;
    } catch (error) {
      logger.warn("monitor scheduler: loading monitors failed", { error });
      loadedAt = now; // try again at the next reload, not on every tick
    } finally {
      loading = false;
    }
  }

  function tick(): void {
    if (stopped || !leader) return;
    const now = Date.now();
    if (loadedVersion !== monitorsVersion() || now - loadedAt >= RELOAD_MS) void reload(now);
    for (const { item, dueAt } of core.tick(now)) {
      options.onStart?.(now - dueAt);
      void checkMonitor(item)
        .then((outcome) => outcome && batcher.add({ monitor: item, outcome, at: new Date() }))
        .finally(() => core.finished(item.id));
    }
    void batcher.flush();
  }

  leaderTimer = setTimeout(tryLead, 1_000).unref();
  const tickTimer = setInterval(tick, TICK_MS).unref();
  return () => {
    stopped = true;
    clearInterval(tickTimer);
    clearTimeout(leaderTimer);
    void batcher.flush();
    const client = leader;
    leader = null;
    if (client) {
      void client
        .query("SELECT pg_advisory_unlock($1)", [LEADER_LOCK])
        .catch(() => undefined)
        .finally(() => client.release());
    }
  };
}
