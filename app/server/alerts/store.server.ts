// Persistence of one evaluation for one organization. Everything happens in one tenant
// transaction under a per-organization advisory lock: load rules and states, run the pure
// decision function, write history and states. Notifications are sent after the commit and their
// results recorded afterwards. Because the lock serialises evaluations and the states are read
// inside it, two replicas (or a restarted process) seeing the same condition notify once.
import { systemDb, withOrg, type Tx } from "../db/client.server";
import { env } from "../env.server";
import { logger } from "../logger.server";
import { deliver } from "./channels/index.server";
import { renderMessage } from "./channels/format";
import type { AlertItem } from "./channels/types";
import { DELIVERY_TIMEOUT_MS, loadDeliverableChannels } from "./channels.server";
import { decide, groupByChannel, stateKey, type CrashBaseline, type Decision, type Finding, type RuleSpec, type StateMap } from "./evaluate";
import { toRuleSpec } from "./rules.server";
import { policyFromEnv } from "./safe-fetch.server";
import type { RetryOptions } from "./channels/index.server";

/** Organizations with at least one enabled rule (a definer function: no tenant is set yet). */
export async function orgsWithRules(): Promise<string[]> {
  const rows = await systemDb().$queryRaw<{ orgId: string }[]>`SELECT "orgId" FROM alert_rule_org_ids()`;
  return rows.map((r) => r.orgId);
}

/** For start-up crash detection: when each rule was created and the states of its containers. */
export async function crashBaseline(orgId: string, ruleIds: string[]): Promise<CrashBaseline> {
  return withOrg(orgId, async (tx) => {
    const rules = await tx.alertRule.findMany({ where: { orgId, id: { in: ruleIds } }, select: { id: true, createdAt: true } });
    const states = await tx.alertState.findMany({ where: { orgId, ruleId: { in: ruleIds }, target: { startsWith: "container:" } }, select: { ruleId: true, target: true, state: true, since: true } });
    return {
      ruleCreatedAt: new Map(rules.map((r) => [r.id, r.createdAt.getTime()])),
      states: new Map(states.map((s) => [stateKey(s.ruleId, s.target), { state: s.state, since: s.since.getTime() }])),
    };
  });
}

export async function loadRules(orgId: string): Promise<RuleSpec[]> {
  const rows = await withOrg(orgId, (tx) =>
    tx.alertRule.findMany({
      where: { orgId, enabled: true },
      select: { id: true, name: true, type: true, scope: true, threshold: true, windowSeconds: true, cooldownSeconds: true, channelIds: true, notifyOnResolve: true, enabled: true, maintenance: true },
    }),
  );
  return rows.map(toRuleSpec);
}

async function loadStates(tx: Tx, orgId: string, ruleIds: string[]): Promise<StateMap> {
  const rows = await tx.alertState.findMany({ where: { orgId, ruleId: { in: ruleIds } }, select: { ruleId: true, target: true, state: true, lastNotifiedAt: true, notified: true, eventId: true } });
  return new Map(
    rows.map((r) => [stateKey(r.ruleId, r.target), { state: r.state === "firing" ? "firing" : "ok", lastNotifiedAt: r.lastNotifiedAt?.getTime() ?? null, notified: r.notified, eventId: r.eventId }] as const),
  );
}

export interface Evaluation {
  /** Findings in the order they were observed; each inner list is judged after the previous.
   *  A function gets the current states first (periodic rules skip what changes nothing). */
  steps: Finding[][] | ((states: StateMap) => Finding[][]);
  /** Rules this evaluation covered entirely (periodic rules in a tick). */
  completeRules?: ReadonlySet<string>;
}

export interface Applied {
  decisions: (Decision & { eventId: string | null })[];
  deliveries: { channelId: string; ok: boolean; error: string | null }[];
}

/** Decides, persists, notifies (grouped per channel) and records the deliveries. */
export async function applyEvaluation(orgId: string, rules: RuleSpec[], evaluation: Evaluation, now: number, retry?: RetryOptions): Promise<Applied> {
  const committed = await withOrg(
    orgId,
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"alerts:" + orgId}))`;
      // Rules may have changed since the caller loaded them: judge by what is stored now.
      const current = await tx.alertRule.findMany({ where: { orgId, id: { in: rules.map((r) => r.id) }, enabled: true }, select: { id: true } });
      const live = new Set(current.map((r) => r.id));
      const active = rules.filter((r) => live.has(r.id));
      const states = await loadStates(tx, orgId, active.map((r) => r.id));
      const decisions: Decision[] = [];
      const steps = typeof evaluation.steps === "function" ? evaluation.steps(states) : evaluation.steps;
      const last = steps.length - 1;
      steps.forEach((findings, i) => {
        decisions.push(...decide(active, findings, states, now, i === last ? evaluation.completeRules : undefined));
      });
      const persisted = await persist(tx, orgId, decisions, new Date(now));
      const groups = groupByChannel(persisted);
      const channels = await loadDeliverableChannels(tx, orgId, [...groups.keys()]);
      return { decisions: persisted, groups, channels };
    },
    { timeout: 30_000 },
  );
  if (committed.groups.size === 0) return { decisions: committed.decisions, deliveries: [] };

  const base = `${env().PUBLIC_URL}/alerts`;
  const records: { eventId: string; channelId: string; kind: string; ok: boolean; error: string | null; attempts: number; at: Date }[] = [];
  const deliveries: Applied["deliveries"] = [];
  await Promise.all(
    [...committed.groups].map(async ([channelId, group]) => {
      const channel = committed.channels.get(channelId);
      const items = group.map(toItem);
      const link = alertsLink(base, group.map((d) => d.eventId));
      const result = channel
        ? await deliver(channel.type, renderMessage(items, link), channel.settings, { policy: policyFromEnv(), timeoutMs: DELIVERY_TIMEOUT_MS }, retry)
        : { ok: false, error: "the channel no longer exists", attempts: 0 };
      if (!result.ok) logger.warn("alert delivery failed", { orgId, channelId, error: result.error });
      deliveries.push({ channelId, ok: result.ok, error: result.error });
      for (const d of group) {
        if (d.eventId) records.push({ eventId: d.eventId, channelId, kind: d.kind, ok: result.ok, error: result.error, attempts: result.attempts, at: new Date() });
      }
    }),
  );
  if (records.length) await withOrg(orgId, (tx) => tx.alertDelivery.createMany({ data: records.map((r) => ({ ...r, orgId })) }));
  return { decisions: committed.decisions, deliveries };
}

/** "Details" opens exactly the alerts of the message (the history list when none was recorded). */
export function alertsLink(base: string, eventIds: (string | null)[]): string {
  const ids = [...new Set(eventIds.filter((id): id is string => Boolean(id)))].slice(0, 50);
  return ids.length ? `${base}?tab=history&alert=${ids.join(",")}` : `${base}?tab=history`;
}

function toItem(d: Decision & { eventId: string | null }): AlertItem {
  return {
    ruleId: d.rule.id,
    ruleName: d.rule.name,
    ruleType: d.rule.type,
    target: d.target,
    targetName: d.targetName,
    state: d.kind === "fire" ? "firing" : "resolved",
    value: d.value,
    message: d.message,
    at: new Date().toISOString(),
  };
}

async function persist(tx: Tx, orgId: string, decisions: Decision[], at: Date): Promise<(Decision & { eventId: string | null })[]> {
  const out: (Decision & { eventId: string | null })[] = [];
  for (const d of decisions) {
    const key = { ruleId_target: { ruleId: d.rule.id, target: d.target } };
    if (d.kind === "fire") {
      const event = await tx.alertEvent.create({
        data: { orgId, ruleId: d.rule.id, ruleName: d.rule.name, ruleType: d.rule.type, target: d.target, targetName: d.targetName, state: "firing", value: d.value, message: d.message, suppressed: d.suppressed, firedAt: at },
        select: { id: true },
      });
      const fields = { state: "firing", since: at, lastFiredAt: at, notified: d.notify, eventId: event.id, value: d.value, ...(d.notify ? { lastNotifiedAt: at } : {}) };
      await tx.alertState.upsert({ where: key, create: { orgId, ruleId: d.rule.id, target: d.target, ...fields }, update: fields });
      out.push({ ...d, eventId: event.id });
    } else {
      if (d.eventId) await tx.alertEvent.updateMany({ where: { id: d.eventId, orgId }, data: { state: "resolved", resolvedAt: at } });
      await tx.alertState.updateMany({ where: { orgId, ruleId: d.rule.id, target: d.target }, data: { state: "ok", since: at, eventId: null, value: d.value } });
      out.push(d);
    }
  }
  return out;
}
