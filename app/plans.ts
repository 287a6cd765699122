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

/** What the plan page shows for one limit (decision 126). */
export interface UsageMeter {
  key: keyof PlanLimits;
  label: string;
  used: number;
  allowed: number;
  usedText: string;
  allowedText: string;
  /** 0–100, for the bar. */
  percent: number;
  /** `near` from 80 %, `at` when nothing more fits. */
  level: "ok" | "near" | "at";
  /** What happens at the limit. */
  atLimit: string;
}

/** Pure: the four limits of a plan with the organization's usage, for the plan page (retention: the days chosen). */
export function usageMeters(
  plan: PlanName,
  usage: { agents: number; members: number; logBytesThisMonth: number; retentionDays: number },
  periodEnd: string,
): UsageMeter[] {
  const limits = PLAN_LIMITS[plan];
  const resets = new Date(periodEnd).toLocaleDateString("en", { day: "numeric", month: "long", timeZone: "UTC" });
  const meter = (key: keyof PlanLimits, label: string, used: number, text: (n: number) => string, atLimit: string): UsageMeter => {
    const allowed = limits[key];
    const ratio = allowed > 0 ? used / allowed : 1;
    // Retention is a choice, not something used up: at the plan's maximum nothing is refused.
    const level = key === "logRetentionDays" ? "ok" : ratio >= 1 ? "at" : ratio >= 0.8 ? "near" : "ok";
    return {
      key,
      label,
      used,
      allowed,
      usedText: text(used),
      allowedText: text(allowed),
      percent: Math.min(100, Math.round(ratio * 100)),
      level,
      atLimit,
    };
  };
  const count = (n: number) => n.toLocaleString("en");
  return [
    meter("agents", "Agents", usage.agents, count, "New agents cannot enroll: the enrollment is refused and the token keeps its use. Remove an agent you no longer need first."),
    meter("members", "Members", usage.members, count, "Inviting or adding people is refused, and pending invitations cannot be accepted. Remove a member or revoke an invitation first."),
    meter("logRetentionDays", "Log retention", Math.min(usage.retentionDays, limits.logRetentionDays), (n) => `${count(n)} ${n === 1 ? "day" : "days"}`, `Logs older than ${limits.logRetentionDays} days are deleted; a longer retention cannot be chosen.`),
    meter("logBytesPerMonth", "Log volume this month", usage.logBytesThisMonth, formatBytes, `New log lines are not stored until the volume starts over on ${resets} (UTC). Live logs keep working.`),
  ];
}
