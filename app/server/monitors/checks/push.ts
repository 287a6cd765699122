// Push (heartbeat) check, pure: a cron job calls the monitor's push URL; no beat within the
// interval (plus a grace for the job's own jitter) is a missed beat, i.e. a failure.
import type { CheckOutcome } from "../state";

export const PUSH_GRACE_MS = 5_000;

/** null: nothing to judge yet (a new monitor waiting for its first beat stays pending). */
export function checkPush(input: { lastPushAt: Date | null; createdAt: Date; intervalSeconds: number; now: number }): CheckOutcome | null {
  const windowMs = input.intervalSeconds * 1000 + PUSH_GRACE_MS;
  const since = input.lastPushAt ?? null;
  if (since && input.now - since.getTime() <= windowMs) return { ok: true, message: "beat received", latencyMs: null };
  // A new monitor gets one interval before its first beat is missed.
  if (!since && input.now - input.createdAt.getTime() <= windowMs) return null;
  const ago = since ? `last beat ${Math.round((input.now - since.getTime()) / 1000)} s ago` : "no beat yet";
  return { ok: false, cause: "push", message: `missed beat: ${ago}, expected every ${input.intervalSeconds} s`, latencyMs: null };
}
