// Periodic housekeeping. Each job runs under a Postgres advisory lock so that, with several
// replicas, only one runs it at a time.
import { deleteExpiredSessions } from "./auth/session.server";
import { logger } from "./logger.server";

interface Job {
  name: string;
  everyMs: number;
  run: () => Promise<void>;
}

const JOBS: Job[] = [{ name: "expired-sessions", everyMs: 60 * 60 * 1000, run: deleteExpiredSessions }];

export function startBackgroundJobs(): () => void {
  const timers = JOBS.map((job) =>
    setInterval(() => {
      job.run().catch((error) => logger.warn("background job failed", { job: job.name, error }));
    }, job.everyMs),
  );
  for (const t of timers) t.unref();
  return () => timers.forEach(clearInterval);
}
