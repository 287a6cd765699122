// One check of one monitor, end to end: run it, record the result and the new state in one
// tenant transaction (the monitor row locked, so a scheduled run and a "Check now" cannot both
// announce the same change), then notify the monitor's channels after the commit (no network
// inside a transaction) through the alerts' delivery code.
import { loadDeliverableChannels } from "../alerts/channels.server";
import { deliver } from "../alerts/channels/index.server";
import { policyFromEnv } from "../alerts/safe-fetch.server";
import { withOrg } from "../db/client.server";
import { env } from "../env.server";
import { logger } from "../logger.server";
import { ContainerConfigSchema, DnsConfigSchema, HttpConfigSchema, PingConfigSchema, TcpConfigSchema } from "~/validation/monitors";
import { checkContainer } from "./checks/container.server";
import { checkDns } from "./checks/dns.server";
import { checkHttp } from "./checks/http.server";
import { checkPing } from "./checks/ping.server";
import { checkPush } from "./checks/push";
import { checkTcp } from "./checks/tcp.server";
import { describeTarget, renderMonitorMessage, type MonitorEvent } from "./notify";
import { applyOutcome, type CheckOutcome, type MonitorState } from "./state";
import type { MonitorStatus } from "~/validation/monitors";

export interface CheckableMonitor {
  id: string;
  orgId: string;
  name: string;
  type: string;
  config: unknown;
  intervalSeconds: number;
  createdAt: Date;
}

const DELIVERY_TIMEOUT_MS = 10_000;

async function outcomeOf(m: CheckableMonitor): Promise<CheckOutcome | null> {
  switch (m.type) {
    case "http":
      return checkHttp(HttpConfigSchema.parse(m.config), policyFromEnv());
    case "tcp":
      return checkTcp(TcpConfigSchema.parse(m.config), policyFromEnv());
    case "ping":
      return checkPing(PingConfigSchema.parse(m.config), policyFromEnv());
    case "dns":
      return checkDns(DnsConfigSchema.parse(m.config), policyFromEnv());
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
  status: string;
  failures: number;
  enabled: boolean;
  retries: number;
  channelIds: string[];
  name: string;
  config: unknown;
}

interface Announcement {
  incidentId: string;
  channelIds: string[];
  event: MonitorEvent;
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
      SELECT id, status, failures, enabled, retries, "channelIds", name, config FROM "Monitor"
      WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)) ORDER BY id FOR UPDATE`;
    const byId = new Map(rows.filter((r) => r.enabled).map((r) => [r.id, r])); // deleted or paused while the check ran: dropped
    const states = new Map<string, MonitorState & { at: Date; latencyMs: number | null; message: string }>();
    const results: { monitorId: string; time: string; ok: boolean; latencyMs: number | null; message: string | null }[] = [];
    const incidents: { item: CheckedMonitor; row: LockedRow; kind: "down" | "up"; message: string }[] = [];
    for (const item of items) {
      const row = byId.get(item.monitor.id);
      if (!row) continue;
      const { outcome, at } = item;
      const state: MonitorState = states.get(row.id) ?? { status: row.status as MonitorStatus, failures: row.failures };
      const { next, incident } = applyOutcome(state, outcome.ok, row.retries);
      const message = outcome.message.slice(0, 500);
      states.set(row.id, { ...next, at, latencyMs: outcome.latencyMs, message });
      results.push({ monitorId: row.id, time: at.toISOString(), ok: outcome.ok, latencyMs: outcome.latencyMs, message: outcome.ok ? null : message });
      if (incident) incidents.push({ item, row, kind: incident, message });
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
    const announcements: Announcement[] = [];
    for (const { item, row, kind, message } of incidents) {
      const cause = kind === "down" ? (item.outcome.cause ?? null) : null;
      const created = await tx.monitorIncident.create({ data: { orgId, monitorId: row.id, kind, cause, message, at: item.at }, select: { id: true } });
      announcements.push({
        incidentId: created.id,
        channelIds: row.channelIds,
        event: { monitorId: row.id, name: row.name, target: describeTarget(item.monitor.type, (row.config ?? {}) as Record<string, unknown>), kind, cause, message, latencyMs: item.outcome.latencyMs, at: item.at },
      });
    }
    return announcements;
  });
}

/** Sends the announcements of `recordOutcomes` (after its commit: no network inside a transaction). */
export async function announce(orgId: string, announcements: Announcement[]): Promise<void> {
  for (const a of announcements) if (a.channelIds.length) await notify(orgId, a.incidentId, a.channelIds, a.event);
}

/** Runs one check and records it ("Check now"); returns the incident it opened, if any. */
export async function runMonitorCheck(m: CheckableMonitor): Promise<MonitorEvent | null> {
  const outcome = await checkMonitor(m);
  if (!outcome) return null;
  const announcements = await recordOutcomes(m.orgId, [{ monitor: m, outcome, at: new Date() }]);
  await announce(m.orgId, announcements);
  return announcements[0]?.event ?? null;
}

async function notify(orgId: string, incidentId: string, channelIds: string[], event: MonitorEvent): Promise<void> {
  try {
    const channels = await withOrg(orgId, (tx) => loadDeliverableChannels(tx, orgId, channelIds));
    const message = renderMonitorMessage(event, `${env().PUBLIC_URL}/monitors`);
    const ctx = { policy: policyFromEnv(), timeoutMs: DELIVERY_TIMEOUT_MS };
    const results = await Promise.all(
      [...channels.values()].map(async (c) => ({ channelId: c.id, ...(await deliver(c.type, message, c.settings, ctx)), at: new Date().toISOString() })),
    );
    await withOrg(orgId, (tx) => tx.monitorIncident.update({ where: { id: incidentId }, data: { deliveries: results } }));
  } catch (error) {
    logger.warn("monitor notification failed", { incidentId, error });
  }
}
