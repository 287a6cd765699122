// One check of one monitor, end to end: run it, record the result and the new state in one
// tenant transaction (the monitor row locked, so a scheduled run and a "Check now" cannot both
// announce the same change), then notify the monitor's channels after the commit (no network
// inside a transaction) through the alerts' delivery code.
import { loadDeliverableChannels } from "../alerts/channels.server";
import { deliver } from "../alerts/channels/index.server";
import { policyFromEnv } from "../alerts/safe-fetch.server";
import { withOrg } from "../db/client.server";
import { monitorPolicy } from "./policy.server";
import { env } from "../env.server";
import { logger } from "../logger.server";
import { ContainerConfigSchema, DnsConfigSchema, HttpConfigSchema, PingConfigSchema, TcpConfigSchema } from "~/validation/monitors";
import { checkContainer } from "./checks/container.server";
import { checkDns } from "./checks/dns.server";
import { checkHttp } from "./checks/http.server";
import { checkPing } from "./checks/ping.server";
import { checkPush } from "./checks/push";
import { checkTcp } from "./checks/tcp.server";
import { checkDnsFromAgent, checkHttpFromAgent, checkTcpFromAgent } from "./checks/agent.server";
import { describeTarget, renderMonitorMessage, type MonitorEvent } from "./notify";
import { applyOutcome, shouldResend, type CheckOutcome, type MonitorState } from "./state";
import { monitorFindings } from "./notify";
import { inMaintenance } from "../alerts/evaluate";
import { applyEvaluation, loadRules } from "../alerts/store.server";
import type { MaintenanceWindow } from "~/validation/alerts";
import type { MonitorStatus } from "~/validation/monitors";

export interface CheckableMonitor {
  id: string;
  orgId: string;
  name: string;
  type: string;
  config: unknown;
  intervalSeconds: number;
  createdAt: Date;
  /** http / tcp / ping / dns: check from this agent (its probes) instead of the control plane (decisions 065, 141). */
  agentId?: string | null;
}

const DELIVERY_TIMEOUT_MS = 10_000;

async function outcomeOf(m: CheckableMonitor): Promise<CheckOutcome | null> {
  if (m.agentId && (m.type === "tcp" || m.type === "ping")) {
    const config = m.type === "tcp" ? TcpConfigSchema.parse(m.config) : PingConfigSchema.parse(m.config);
    return checkTcpFromAgent(m.orgId, m.agentId, config, monitorPolicy(m.orgId));
  }
  if (m.agentId && m.type === "http") return checkHttpFromAgent(m.orgId, m.agentId, HttpConfigSchema.parse(m.config), monitorPolicy(m.orgId));
  if (m.agentId && m.type === "dns") return checkDnsFromAgent(m.orgId, m.agentId, DnsConfigSchema.parse(m.config), monitorPolicy(m.orgId));
  switch (m.type) {
    case "http":
      return checkHttp(HttpConfigSchema.parse(m.config), monitorPolicy(m.orgId));
    case "tcp":
      return checkTcp(TcpConfigSchema.parse(m.config), monitorPolicy(m.orgId));
    case "ping":
      return checkPing(PingConfigSchema.parse(m.config), monitorPolicy(m.orgId));
    case "dns":
      return checkDns(DnsConfigSchema.parse(m.config), monitorPolicy(m.orgId));
    case "container":
      return checkContainer(m.orgId, ContainerConfigSchema.parse(m.config));
    case "push": {
      const row = await withOrg(m.orgId, (tx) => tx.monitor.findFirst({ where: { id: m.id }, select: { lastPushAt: true } }));
      return checkPush({ lastPushAt: row?.lastPushAt ?? null, createdAt: m.createdAt, intervalSeconds: m.intervalSeconds, now: Date.now() });
    }
    default:
      return null;
  }
}

/** The network part of a check: never throws (a thrown error is a `connection` failure). */
export async function checkMonitor(m: CheckableMonitor): Promise<CheckOutcome | null> {
  try {
    return await outcomeOf(m);
  } catch (error) {
    return { ok: false, cause: "connection", message: error instanceof Error ? error.message : String(error), latencyMs: null };
  }
}

export interface CheckedMonitor {
  monitor: CheckableMonitor;
  outcome: CheckOutcome;
  at: Date;
}

interface LockedRow {
  id: string;
  type: string;
  status: string;
  failures: number;
  enabled: boolean;
  retries: number;
  channelIds: string[];
  name: string;
  config: unknown;
  resendEvery: number;
  maintenance: unknown;
  certWarnedFor: Date | null;
}

export interface Announcement {
  /** The incident row the deliveries are recorded on (none for a reminder or a certificate renewed). */
  incidentId: string | null;
  /** The monitor's own channels; empty inside a maintenance window. */
  channelIds: string[];
  event: MonitorEvent;
  /** Inside a maintenance window: nobody is told, alert rules are not fed either. */
  muted: boolean;
}

/**
 * Records the outcomes of one organization's checks in one tenant transaction: the monitors locked
 * (`FOR UPDATE`, in id order so two batches cannot deadlock), every result in one INSERT and every
 * new state in one UPDATE (set-based: at 2,000 monitors per 20 s a transaction per check cost more
 * CPU than the checks, see docs/benchmarks.md), incidents one by one (rare). Outcomes of one
 * monitor apply in the order given. Returns the incidents to announce after the commit.
 */
export async function recordOutcomes(orgId: string, items: CheckedMonitor[]): Promise<Announcement[]> {
  if (!items.length) return [];
  const ids = [...new Set(items.map((i) => i.monitor.id))].sort();
  return withOrg(orgId, async (tx) => {
    const rows = await tx.$queryRaw<LockedRow[]>`
      SELECT id, type, status, failures, enabled, retries, "channelIds", name, config, "resendEvery", maintenance, "certWarnedFor" FROM "Monitor"
      WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)) ORDER BY id FOR UPDATE`;
    const byId = new Map(rows.filter((r) => r.enabled).map((r) => [r.id, r])); // deleted or paused while the check ran: dropped
    const states = new Map<string, MonitorState & { at: Date; latencyMs: number | null; message: string }>();
    const results: { monitorId: string; time: string; ok: boolean; latencyMs: number | null; message: string | null }[] = [];
    const events: { item: CheckedMonitor; row: LockedRow; kind: MonitorEvent["kind"]; message: string; muted: boolean }[] = [];
    const certWarned = new Map<string, Date | null>();
    for (const item of items) {
      const row = byId.get(item.monitor.id);
      if (!row) continue;
      const { outcome, at } = item;
      const state: MonitorState = states.get(row.id) ?? { status: row.status as MonitorStatus, failures: row.failures };
      const { next, incident } = applyOutcome(state, outcome.ok, row.retries);
      const message = outcome.message.slice(0, 500);
      const muted = inMaintenance(Array.isArray(row.maintenance) ? (row.maintenance as MaintenanceWindow[]) : [], at.getTime());
      states.set(row.id, { ...next, at, latencyMs: outcome.latencyMs, message });
      results.push({ monitorId: row.id, time: at.toISOString(), ok: outcome.ok, latencyMs: outcome.latencyMs, message: outcome.ok ? null : message });
      if (incident) events.push({ item, row, kind: incident, message, muted });
      else if (shouldResend(next.status, next.failures, row.retries, row.resendEvery)) events.push({ item, row, kind: "reminder", message, muted });
      // One warning per certificate (its notAfter); a renewed certificate clears it.
      const warnedFor = certWarned.has(row.id) ? certWarned.get(row.id)! : row.certWarnedFor;
      if (outcome.certNotAfter) {
        const notAfter = new Date(outcome.certNotAfter);
        if (outcome.certDaysLeft !== undefined && warnedFor?.getTime() !== notAfter.getTime()) {
          certWarned.set(row.id, notAfter);
          events.push({ item, row, kind: "cert", message: `certificate expires in ${outcome.certDaysLeft} days (${notAfter.toISOString().slice(0, 10)})`, muted });
        } else if (outcome.certDaysLeft === undefined && warnedFor && warnedFor.getTime() !== notAfter.getTime()) {
          certWarned.set(row.id, null);
          events.push({ item, row, kind: "cert_renewed", message: `certificate renewed: valid until ${notAfter.toISOString().slice(0, 10)}`, muted });
        }
      }
    }
    if (!results.length) return [];
    await tx.$executeRaw`
      INSERT INTO "MonitorResult" ("orgId", "monitorId", time, ok, "latencyMs", message)
      SELECT ${orgId}, x."monitorId", x.time, x.ok, x."latencyMs", x.message
      FROM jsonb_to_recordset(${JSON.stringify(results)}::jsonb) AS x("monitorId" text, time timestamptz, ok boolean, "latencyMs" int, message text)`;
    const updates = [...states].map(([id, s]) => ({ id, status: s.status, failures: s.failures, at: s.at.toISOString(), latencyMs: s.latencyMs, message: s.message }));
    await tx.$executeRaw`
      UPDATE "Monitor" AS m SET status = x.status, failures = x.failures, "lastCheckAt" = x.at, "latencyMs" = x."latencyMs", "lastMessage" = x.message
      FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS x(id text, status text, failures int, at timestamptz, "latencyMs" int, message text)
      WHERE m.id = x.id`;
    for (const [id, notAfter] of certWarned) await tx.monitor.update({ where: { id }, data: { certWarnedFor: notAfter } });
    const announcements: Announcement[] = [];
    for (const { item, row, kind, message, muted } of events) {
      const cause = kind === "down" ? (item.outcome.cause ?? null) : null;
      // Down, up and certificate warnings are in the incident timeline; reminders and renewals are not.
      const stored = kind === "down" || kind === "up" || kind === "cert";
      const created = stored
        ? await tx.monitorIncident.create({
            data: { orgId, monitorId: row.id, kind, cause, message, at: item.at, ...(muted ? { deliveries: [{ suppressed: "maintenance" }] } : {}) },
            select: { id: true },
          })
        : null;
      announcements.push({
        incidentId: created?.id ?? null,
        channelIds: muted || kind === "cert_renewed" ? [] : row.channelIds,
        muted,
        event: { monitorId: row.id, name: row.name, target: describeTarget(row.type, (row.config ?? {}) as Record<string, unknown>), kind, cause, message, latencyMs: item.outcome.latencyMs, at: item.at },
      });
    }
    return announcements;
  });
}

/**
 * Sends the announcements of `recordOutcomes` (after its commit: no network inside a transaction)
 * to the monitors' own channels, and feeds alert rules that target monitors (decision 062).
 */
export async function announce(orgId: string, announcements: Announcement[]): Promise<void> {
  for (const a of announcements) if (a.channelIds.length) await notify(orgId, a.incidentId, a.channelIds, a.event);
  const live = announcements.filter((a) => !a.muted);
  if (live.length) await feedAlertRules(orgId, live.map((a) => a.event)).catch((error) => logger.warn("monitor alert rules failed", { orgId, error }));
}

/** Alert rules of type monitor_down / monitor_cert_expiry: their scope's namePattern matches monitor names. */
async function feedAlertRules(orgId: string, events: MonitorEvent[]): Promise<void> {
  const relevant = events.filter((e) => e.kind !== "reminder");
  if (!relevant.length) return;
  const rules = (await loadRules(orgId)).filter((r) => r.type === "monitor_down" || r.type === "monitor_cert_expiry");
  if (!rules.length) return;
  const findings = monitorFindings(rules, relevant);
  if (findings.length) await applyEvaluation(orgId, rules, { steps: findings.map((f) => [f]) }, Date.now());
}

/** Runs one check and records it ("Check now"); returns the incident it opened, if any. */
export async function runMonitorCheck(m: CheckableMonitor): Promise<MonitorEvent | null> {
  const outcome = await checkMonitor(m);
  if (!outcome) return null;
  const announcements = await recordOutcomes(m.orgId, [{ monitor: m, outcome, at: new Date() }]);
  await announce(m.orgId, announcements);
  return announcements[0]?.event ?? null;
}

async function notify(orgId: string, incidentId: string | null, channelIds: string[], event: MonitorEvent): Promise<void> {
  try {
    const channels = await withOrg(orgId, (tx) => loadDeliverableChannels(tx, orgId, channelIds));
    const message = renderMonitorMessage(event, `${env().PUBLIC_URL}/monitors`);
    const ctx = { policy: policyFromEnv(), timeoutMs: DELIVERY_TIMEOUT_MS };
    const results = await Promise.all(
      [...channels.values()].map(async (c) => ({ channelId: c.id, ...(await deliver(c.type, message, c.settings, ctx)), at: new Date().toISOString() })),
    );
    if (incidentId) await withOrg(orgId, (tx) => tx.monitorIncident.update({ where: { id: incidentId }, data: { deliveries: results } }));
    else if (results.some((r) => !r.ok)) logger.warn("monitor notification failed", { monitorId: event.monitorId, kind: event.kind, results });
  } catch (error) {
    logger.warn("monitor notification failed", { incidentId, error });
  }
}
