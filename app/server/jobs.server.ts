// Periodic housekeeping. Each job runs under a Postgres advisory lock so that, with several
// replicas, only one runs it at a time.
import { recordBuiltInStatsHistory } from "./agents/registry.server";
import { startAlertEngine } from "./alerts/engine.server";
import { deleteExpiredSessions } from "./auth/session.server";
import { renewDueCertificates } from "./certs/issuance.server";
import { appPool } from "./db/pg-pool.server";
import { logger } from "./logger.server";
import { startMonitorScheduler } from "./monitors/scheduler.server";
import { rollupMonitorResults } from "./monitors/retention.server";
import { applyLogRetention, createLogPartitionsAhead, indexClosedLogPartitions } from "./logs/log-retention.server";
import { ensureLogCollectors } from "./logs/collector-boot.server";
import { applyAuditRetention, writePeriodicCheckpoints } from "./audit/audit-settings.server";
import { deliverAuditForwarders } from "./audit/forwarders.server";

interface Job {
  name: string;
  everyMs: number;
  run: () => Promise<void>;
  /** Advisory lock key: another replica holding it means this run is skipped. */
  lockKey?: number;
  /** Also run once shortly after startup. */
  runOnStart?: boolean;
}

const JOBS: Job[] = [
  { name: "expired-sessions", everyMs: 60 * 60 * 1000, run: deleteExpiredSessions },
  { name: "log-partitions", everyMs: 60 * 60 * 1000, run: () => createLogPartitionsAhead(), lockKey: 7_126_031, runOnStart: true },
  // Hourly tick; each certificate is attempted once it expires within 30 days, then with backoff.
  { name: "certificate-renewal", everyMs: 60 * 60 * 1000, run: async () => void (await renewDueCertificates()), lockKey: 7_126_040, runOnStart: true },
  // Starts persisting the built-in agent's container logs for an organization as soon as it exists.
  { name: "log-collectors", everyMs: 15 * 1000, run: ensureLogCollectors, runOnStart: true },
  { name: "log-retention", everyMs: 60 * 60 * 1000, run: async () => void (await applyLogRetention()), lockKey: 7_126_032, runOnStart: true },
  // Trigram index of each day once it has closed (today is written without it; decision 030).
  // Last at start-up: after an upgrade it may build several days' indexes.
  // Monitor results: raw 24 h, then per minute until 7 days, per hour until 90 days (decision 061).
  { name: "monitor-results-rollup", everyMs: 60 * 60 * 1000, run: async () => void (await rollupMonitorResults()), lockKey: 7_126_061, runOnStart: true },
  // Audit entries past each organization's retention, bridged by a signed checkpoint; and hourly
  // signed checkpoints of every chain that grew (decision 110).
  { name: "audit-retention", everyMs: 60 * 60 * 1000, run: async () => void (await applyAuditRetention()), lockKey: 7_126_110, runOnStart: true },
  { name: "audit-checkpoints", everyMs: 60 * 60 * 1000, run: async () => void (await writePeriodicCheckpoints()), lockKey: 7_126_111, runOnStart: true },
  // Audit entries to each organization's SIEM: every forwarder due, each on its own (decision 146).
  { name: "audit-forwarders", everyMs: 5 * 1000, run: async () => void (await deliverAuditForwarders()), lockKey: 7_126_146 },
  { name: "log-search-index", everyMs: 10 * 60 * 1000, run: async () => void (await indexClosedLogPartitions()), lockKey: 7_126_033, runOnStart: true },
];

/** Runs `fn` only if this process gets the session-level advisory lock `key`; false if another has it. */
export async function withJobLock(key: number, fn: () => Promise<void>): Promise<boolean> {
  const client = await appPool().connect();
  let broken = false;
  const onError = () => (broken = true);
  client.on("error", onError);
  try {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [key]);
    if (!rows[0]?.locked) return false;
    try {
      await fn();
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [key]).catch(() => (broken = true));
    }
    return true;
  } finally {
    client.off("error", onError);
    client.release(broken ? true : undefined);
  }
}

function runJobAndWait(job: Job): Promise<void> {
  const run = job.lockKey === undefined ? job.run() : withJobLock(job.lockKey, job.run);
  return Promise.resolve(run).then(
    () => undefined,
    (error) => logger.warn("background job failed", { job: job.name, error }),
  );
}

function runJob(job: Job): void {
  void runJobAndWait(job);
}

export function startBackgroundJobs(): () => void {
  const timers = JOBS.map((job) => setInterval(() => runJob(job), job.everyMs));
  // Start-up runs go one after another, not all at once: each holds connections while it runs.
  const startup = [
    setTimeout(async () => {
      for (const job of JOBS.filter((j) => j.runOnStart)) await runJobAndWait(job);
    }, 5_000),
  ];
  for (const t of [...timers, ...startup]) t.unref();
  // Charts open full: the built-in agent's usage history starts now (decision 105).
  recordBuiltInStatsHistory();
  // Alerts follow the agent's events and their own 30-s tick (app/server/alerts/engine.server.ts).
  const stopAlerts = startAlertEngine();
  // Uptime monitors spread over their intervals on one replica (app/server/monitors, decision 060).
  const stopMonitors = startMonitorScheduler();
  return () => {
    stopAlerts();
    stopMonitors();
    timers.forEach(clearInterval);
    startup.forEach(clearTimeout);
  };
}
