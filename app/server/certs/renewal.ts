// When a certificate is due for (re)issuance and how long to wait after a failure. Pure, so the
// daily job's selection and backoff are unit tested without a CA. State lives in the existing
// Certificate columns: `renewAttempts` (failures since the last success) and `nextAttemptAt`
// (no attempt before then); `error` keeps the CA's last message.
export const RENEW_BEFORE_DAYS = 30;
const HOUR = 60 * 60 * 1000;

export interface RenewalCandidate {
  mode: string;
  status: string;
  autoRenew: boolean;
  notAfter: Date | null;
  nextAttemptAt: Date | null;
}

/** Backoff after `failures` consecutive failures: 1 h, 2 h, 4 h … capped at 24 h. */
export function retryDelayMs(failures: number): number {
  return Math.min(HOUR * 2 ** Math.max(0, failures - 1), 24 * HOUR);
}

export function isDue(c: RenewalCandidate, now: Date): boolean {
  if (c.mode !== "acme" || !c.autoRenew) return false;
  if (c.nextAttemptAt && c.nextAttemptAt.getTime() > now.getTime()) return false;
  // Never issued (a crash during issuance, or a failed first attempt): try again after backoff.
  if (!c.notAfter) return c.status !== "issued";
  return c.notAfter.getTime() - now.getTime() <= RENEW_BEFORE_DAYS * 24 * HOUR;
}
