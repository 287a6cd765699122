// Pure and shared (server and browser): the SaaS plan table (decision 095). What each plan allows; billing (a later issue) or the
// platform operator sets an organization's plan, and Community ignores plans altogether.
export const PLANS = ["free", "team", "business"] as const;
export type PlanName = (typeof PLANS)[number];

export interface PlanLimits {
  /** Agents (hosts) connected to the organization. */
  agents: number;
  /** Memberships, the owner included. */
  members: number;
  /** Longest log retention an organization may choose (days). */
  logRetentionDays: number;
  /** Log message bytes stored per calendar month (UTC), as the log writer counts them. */
  logBytesPerMonth: number;
}

const GiB = 1024 ** 3;

export const PLAN_LIMITS: Record<PlanName, PlanLimits> = {
  free: { agents: 1, members: 3, logRetentionDays: 7, logBytesPerMonth: 1 * GiB },
  team: { agents: 10, members: 25, logRetentionDays: 30, logBytesPerMonth: 50 * GiB },
  business: { agents: 100, members: 250, logRetentionDays: 90, logBytesPerMonth: 500 * GiB },
};

export const PLAN_LABELS: Record<PlanName, string> = { free: "Free", team: "Team", business: "Business" };

/** The limits checked when something is added (the other two are enforced where logs are stored). */
export type CountedLimit = "agents" | "members";

export function planLimits(plan: PlanName): PlanLimits {
  return PLAN_LIMITS[plan];
}

export function isPlanName(value: unknown): value is PlanName {
  return typeof value === "string" && (PLANS as readonly string[]).includes(value);
}

/** Pure: whether one more of `limit` fits, given how many there are now. */
export function allowsOneMore(plan: PlanName, limit: CountedLimit, current: number): boolean {
  return current < PLAN_LIMITS[plan][limit];
}

/** Pure: the retention an organization actually gets (its choice, capped by its plan). */
export function effectiveRetentionDays(plan: PlanName, chosen: number): number {
  return Math.min(chosen, PLAN_LIMITS[plan].logRetentionDays);
}

/** Pure: the first instant of the UTC month after `now` (when the monthly log volume starts over). */
export function nextMonthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

/** Pure: "2026-12" for the UTC month of `now`. */
export function monthKey(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/** Pure: a byte count for people ("1 GiB", "512 MiB", "3.2 KiB"). */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1);
  return `${text} ${units[unit]}`;
}

/** Pure: what the refusal says, including what to do about it. */
export function planLimitMessage(plan: PlanName, limit: CountedLimit): string {
  const allowed = PLAN_LIMITS[plan][limit];
  const what = limit === "agents" ? (allowed === 1 ? "agent" : "agents") : allowed === 1 ? "member" : "members";
  const remedy = limit === "agents" ? "Remove an agent" : "Remove a member (or revoke a pending invitation)";
  return `The ${PLAN_LABELS[plan]} plan allows ${allowed} ${what}. ${remedy}, or move the organization to a larger plan.`;
}
