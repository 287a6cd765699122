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
import { ContainerConfigSchema, HttpConfigSchema, TcpConfigSchema } from "~/validation/monitors";
import { checkContainer } from "./checks/container.server";
import { checkHttp } from "./checks/http.server";
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

/** Runs one check and records it; returns the incident it opened, if any. */
export async function runMonitorCheck(m: CheckableMonitor): Promise<MonitorEvent | null> {
  let outcome: CheckOutcome | null;
  try {
    outcome = await outcomeOf(m);
  } catch (error) {
    outcome = { ok: false, cause: "connection", message: error instanceof Error ? error.message : String(error), latencyMs: null };
  }
  if (!outcome) return null;
  const at = new Date();
  const recorded = await withOrg(m.orgId, async (tx) => {
    const rows = await tx.$queryRaw<{ status: string; failures: number; enabled: boolean; retries: number; channelIds: string[]; name: string; config: unknown }[]>`
      SELECT status, failures, enabled, retries, "channelIds", name, config FROM "Monitor" WHERE id = ${m.id} FOR UPDATE`;
    const row = rows[0];
    if (!row || !row.enabled) return null; // deleted or paused while the check ran
    const state: MonitorState = { status: row.status as MonitorStatus, failures: row.failures };
    const { next, incident } = applyOutcome(state, outcome.ok, row.retries);
    const message = outcome.message.slice(0, 500);
    await tx.monitorResult.create({ data: { orgId: m.orgId, monitorId: m.id, time: at, ok: outcome.ok, latencyMs: outcome.latencyMs, message: outcome.ok ? null : message } });
    await tx.monitor.update({ where: { id: m.id }, data: { status: next.status, failures: next.failures, lastCheckAt: at, latencyMs: outcome.latencyMs, lastMessage: message } });
    if (!incident) return null;
    const created = await tx.monitorIncident.create({ data: { orgId: m.orgId, monitorId: m.id, kind: incident, cause: incident === "down" ? (outcome.cause ?? null) : null, message, at }, select: { id: true } });
    const event: MonitorEvent = {
      monitorId: m.id,
      name: row.name,
      target: describeTarget(m.type, (row.config ?? {}) as Record<string, unknown>),
      kind: incident,
      cause: incident === "down" ? (outcome.cause ?? null) : null,
      message,
      latencyMs: outcome.latencyMs,
      at,
    };
    return { event, incidentId: created.id, channelIds: row.channelIds };
  });
  if (!recorded) return null;
  if (recorded.channelIds.length) await notify(m.orgId, recorded.incidentId, recorded.channelIds, recorded.event);
  return recorded.event;
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
