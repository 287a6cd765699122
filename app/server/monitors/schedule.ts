// Pure scheduling arithmetic (decision 060). Every monitor has a stable offset inside its
// interval (from its id), so 2,000 monitors at 20 s spread over the 20 s instead of firing
// together; run times are points of the grid `offset + k * interval`, computed from the clock and
// never from when the previous check ended, so a slow check or a busy loop cannot make the
// schedule drift.
import { createHash } from "node:crypto";

/** A stable offset in [0, intervalMs) for a monitor id. */
export function offsetFor(id: string, intervalMs: number): number {
  const n = createHash("sha256").update(id).digest().readUInt32BE(0);
  return n % intervalMs;
}

/** The first grid point strictly after `now`. */
export function nextRunAfter(now: number, intervalMs: number, offsetMs: number): number {
  const k = Math.floor((now - offsetMs) / intervalMs) + 1;
  return offsetMs + k * intervalMs;
}
