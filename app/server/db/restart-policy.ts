// When the embedded PostgreSQL dies under InfraPilot (killed, out of memory, crashed), it is
// restarted with backoff; when it keeps dying, InfraPilot gives up and exits non-zero so that
// whatever supervises the process (Docker's restart policy, systemd) takes over instead of a
// server that answers 503 forever. Pure: embedded.server.ts keeps the clock and the processes.

export interface RestartPolicy {
  /** Failures (unexpected exits and failed restarts) within `windowMs` that end the process. */
  maxFailures: number;
  windowMs: number;
  /** Delay before the first restart; doubled for each further failure in the window. */
  baseDelayMs: number;
  maxDelayMs: number;
}

// Five restarts in a row (waits 0.5 + 1 + 2 + 4 + 8 s) within five minutes, then exit.
export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxFailures: 6, windowMs: 5 * 60_000, baseDelayMs: 500, maxDelayMs: 8_000 };

export type RestartDecision = { giveUp: false; attempt: number; delayMs: number } | { giveUp: true; failures: number };

/**
 * What to do after a failure at `now`, given the times of every failure so far (this one
 * included). Failures older than the window are forgotten: a database that crashes once a day is
 * restarted every time.
 */
export function decideRestart(failureTimes: readonly number[], now: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): RestartDecision {
  const recent = failureTimes.filter((t) => now - t < policy.windowMs).length;
  if (recent >= policy.maxFailures) return { giveUp: true, failures: recent };
  const attempt = Math.max(1, recent);
  return { giveUp: false, attempt, delayMs: Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs) };
}

/** What /readyz says about the embedded database (`database` field). */
export type EmbeddedDatabaseState = { state: "running" } | { state: "restarting"; attempt: number } | { state: "failed"; failures: number };

export function describeEmbeddedState(s: EmbeddedDatabaseState): string {
  if (s.state === "running") return "running";
  if (s.state === "restarting") return `restarting (attempt ${s.attempt})`;
  return `failed ${s.failures} times in a row; InfraPilot is exiting`;
}
