// Pure state machine of a monitor (decision 060): `retries` failed checks in a row are forgiven;
// the next one turns the monitor down. A state change is an incident (down with its cause, or
// up); the first success of a new monitor is not one (nothing was down).
import type { MonitorStatus } from "~/validation/monitors";

export interface MonitorState {
  status: MonitorStatus;
  /** Failed checks in a row. */
  failures: number;
}

export interface CheckOutcome {
  ok: boolean;
  /** Why it failed: status, timeout, keyword, tls, connection, refused, container, push. */
  cause?: string;
  message: string;
  latencyMs: number | null;
  /** https checks: the server certificate's notAfter (ISO). */
  certNotAfter?: string | null;
  /** Set when the certificate expires within the monitor's `certExpiryDays`. */
  certDaysLeft?: number;
}

export interface Transition {
  next: MonitorState;
  incident: "down" | "up" | null;
}

export function applyOutcome(state: MonitorState, ok: boolean, retries: number): Transition {
  if (ok) {
    return { next: { status: "up", failures: 0 }, incident: state.status === "down" ? "up" : null };
  }
  const failures = state.failures + 1;
  if (state.status === "down") return { next: { status: "down", failures }, incident: null };
  if (failures > retries) return { next: { status: "down", failures }, incident: "down" };
  // Still within the retries: keep what it was (a pending monitor stays pending).
  return { next: { status: state.status === "paused" ? "pending" : state.status, failures }, incident: null };
}

/**
 * Resend-every-N (decision 062): while a monitor stays down, every `resendEvery`-th failed check
 * after the one that turned it down is announced again. `failures` counts the failures in a row,
 * this one included; the down was announced at `retries + 1`.
 */
export function shouldResend(status: MonitorStatus, failures: number, retries: number, resendEvery: number): boolean {
  if (status !== "down" || resendEvery <= 0) return false;
  const since = failures - (retries + 1);
  return since > 0 && since % resendEvery === 0;
}
