// Uptime monitors: create, list, read, update, delete, results and incidents (decision 060).
// Every change is audited and tells the scheduler to reload. Destinations of http/tcp monitors
// pass the alerts' SSRF policy when saved (400 with the field) and again at every check.
import { assertPermission, type Actor } from "../auth/require.server";
import { agentFor } from "../agents/registry.server";
import { auditInTx } from "../audit/audit.server";
import { randomToken, seal, sha256Hex, unseal } from "../crypto.server";
import { withOrg, type Tx } from "../db/client.server";
import { env } from "../env.server";
import { ConflictError, NotFoundError, ServiceUnavailableError, ValidationError } from "../errors.server";
import { parseWith } from "../http/api.server";
import { assertChannelsExist } from "../alerts/rules.server";
import { inMaintenance } from "../alerts/evaluate";
import type { MaintenanceWindow } from "~/validation/alerts";
import { assertUrlAllowed, DeliveryError, resolveHostAllowed } from "../alerts/safe-fetch.server";
import { monitorPolicy } from "./policy.server";
import { ownResolversClosed, SAAS_DNS_SERVER_REQUIRED } from "./checks/dns.server";
import {
  CreateMonitorSchema,
  MONITOR_STATUSES,
  MONITOR_TYPES,
  type CreateMonitorInput,
  type MonitorDto,
  type MonitorStatus,
  type MonitorType,
  type UpdateMonitorInput,
} from "~/validation/monitors";
import { parseDnsServer } from "#agent/checks/dns-match";
import { runMonitorCheck } from "./run.server";
import { bumpMonitorsVersion } from "./version.server";
import { EMPTY_STATS, latencyOf, statsFor, uptimeOf, type MonitorStats } from "./uptime.server";

export const MONITOR_SELECT = {
  id: true,
  orgId: true,
  name: true,
  type: true,
  config: true,
  intervalSeconds: true,
  retries: true,
  channelIds: true,
  agentId: true,
  enabled: true,
  pushTokenSealed: true,
  lastPushAt: true,
  status: true,
  failures: true,
  lastCheckAt: true,
  latencyMs: true,
  lastMessage: true,
  resendEvery: true,
  maintenance: true,
  createdAt: true,
  updatedAt: true,
} as const;

export type MonitorRow = {
  id: string;
  orgId: string;
  name: string;
  type: string;
  config: unknown;
  intervalSeconds: number;
  retries: number;
  channelIds: string[];
  agentId: string | null;
  enabled: boolean;
  pushTokenSealed: string | null;
  lastPushAt: Date | null;
  status: string;
  failures: number;
  lastCheckAt: Date | null;
  latencyMs: number | null;
  lastMessage: string | null;
  resendEvery: number;
  maintenance: unknown;
  createdAt: Date;
  updatedAt: Date;
};

export const windowsOf = (v: unknown): MaintenanceWindow[] => (Array.isArray(v) ? (v as MaintenanceWindow[]) : []);

export function monitorType(type: string): MonitorType {
  return (MONITOR_TYPES as readonly string[]).includes(type) ? (type as MonitorType) : "http";
}

function toDto(row: MonitorRow, stats: MonitorStats = EMPTY_STATS): MonitorDto {
  const status: MonitorStatus = !row.enabled ? "paused" : (MONITOR_STATUSES as readonly string[]).includes(row.status) ? (row.status as MonitorStatus) : "pending";
  return {
    id: row.id,
    name: row.name,
    type: monitorType(row.type),
    config: (row.config ?? {}) as Record<string, unknown>,
    intervalSeconds: row.intervalSeconds,
    retries: row.retries,
    channelIds: row.channelIds,
    agentId: row.agentId,
    enabled: row.enabled,
    resendEvery: row.resendEvery,
    maintenance: windowsOf(row.maintenance),
    inMaintenance: inMaintenance(windowsOf(row.maintenance), Date.now()),
    status,
    lastCheckAt: row.lastCheckAt?.toISOString() ?? null,
    latencyMs: row.latencyMs,
    message: row.lastMessage,
    uptime: uptimeOf(stats),
    latency: latencyOf(stats),
    ...(row.type === "push" && row.pushTokenSealed ? { pushUrl: `${env().PUBLIC_URL}/api/push/${unseal(row.pushTokenSealed)}` } : {}),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function findRow(tx: Tx, actor: Actor, id: string): Promise<MonitorRow> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError("No such monitor.");
  const row = await tx.monitor.findFirst({ where: { id, orgId: actor.orgId }, select: MONITOR_SELECT });
  if (!row) throw new NotFoundError("No such monitor.");
  return row;
}

/** Where a check will go must be allowed now (it is checked again at every run). */
async function assertTargetAllowed(actor: Actor, input: Pick<CreateMonitorInput, "type" | "config" | "agentId">): Promise<void> {
  const policy = monitorPolicy(actor.orgId);
  const config = input.config as Record<string, unknown>;
  // A remote agent checks from the customer's own network: the control plane's address policy
  // is about the control plane's network and does not apply there (decisions 065, 141).
  let remoteAgent = false;
  if (input.agentId) {
    try {
      remoteAgent = (await agentFor(actor, input.agentId)).row.kind === "remote";
    } catch (error) {
      if (error instanceof NotFoundError) throw new ValidationError("No such agent.", { agentId: "No such agent." });
      // Offline (503): only a remote agent can be; it is checked when it is back.
      if (error instanceof ServiceUnavailableError) remoteAgent = true;
      else throw error;
    }
  }
  try {
    if (!remoteAgent && input.type === "http") await assertUrlAllowed(String(config.url), policy);
    if (!remoteAgent && (input.type === "tcp" || input.type === "ping")) await resolveHostAllowed(String(config.host), Number(config.port), policy);
    if (input.type === "dns" && !remoteAgent && ownResolversClosed({ server: config.server as string | undefined })) {
      throw new ValidationError(SAAS_DNS_SERVER_REQUIRED, { "config.server": SAAS_DNS_SERVER_REQUIRED });
    }
    if (input.type === "dns" && config.server) {
      const server = parseDnsServer(String(config.server));
      if (!server) throw new ValidationError("Not a DNS server address.", { "config.server": "A host, host:port or [IPv6]:port." });
      if (!remoteAgent) await resolveHostAllowed(server.host, server.port, policy);
    }
  } catch (error) {
    if (error instanceof DeliveryError) {
      const field = input.type === "http" ? "config.url" : input.type === "dns" ? "config.server" : "config.host";
      throw new ValidationError(`This target is not allowed: ${error.message}`, { [field]: error.message });
    }
    throw error;
  }
  if (input.type === "container") {
    try {
      await agentFor(actor, String(config.agentId));
    } catch (error) {
      if (error instanceof NotFoundError) throw new ValidationError("No such agent.", { "config.agentId": "No such agent." });
      throw error;
    }
  }
}

const auditBase = (actor: Actor) => ({ orgId: actor.orgId, actorId: actor.userId, actorEmail: actor.email, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null, outcome: "success" as const });

export async function listMonitors(actor: Actor): Promise<{ items: MonitorDto[]; nextCursor: null }> {
  assertPermission(actor, "read:monitor");
  return withOrg(actor.orgId, async (tx) => {
    const rows = await tx.monitor.findMany({ where: { orgId: actor.orgId }, select: MONITOR_SELECT, orderBy: { name: "asc" }, take: 500 });
    const stats = await statsFor(tx, rows.map((r) => r.id));
    return { items: rows.map((r) => toDto(r, stats.get(r.id))), nextCursor: null };
  });
}

export async function getMonitor(actor: Actor, id: string): Promise<MonitorDto> {
  assertPermission(actor, "read:monitor");
  return withOrg(actor.orgId, async (tx) => {
    const row = await findRow(tx, actor, id);
    return toDto(row, (await statsFor(tx, [row.id])).get(row.id));
  });
}

export async function createMonitor(actor: Actor, input: CreateMonitorInput): Promise<MonitorDto> {
  assertPermission(actor, "manage:monitor");
  await assertTargetAllowed(actor, input);
  const token = input.type === "push" ? randomToken(24) : null;
  const row = await withOrg(actor.orgId, async (tx) => {
    await assertChannelsExist(tx, actor.orgId, input.channelIds);
    const created = await tx.monitor.create({
      data: {
        orgId: actor.orgId,
        name: input.name,
        type: input.type,
        config: input.config as object,
        intervalSeconds: input.intervalSeconds,
        retries: input.retries,
        channelIds: input.channelIds,
        agentId: input.agentId,
        enabled: input.enabled,
        resendEvery: input.resendEvery,
        maintenance: input.maintenance as object[],
        ...(token ? { pushTokenHash: sha256Hex(token), pushTokenSealed: seal(token) } : {}),
      },
      select: MONITOR_SELECT,
    });
    await auditInTx(tx, { ...auditBase(actor), action: "monitor.create", targetType: "monitor", targetId: created.id, details: { name: input.name, type: input.type } });
    return created;
  });
  bumpMonitorsVersion();
  return toDto(row);
}

export async function updateMonitor(actor: Actor, id: string, input: UpdateMonitorInput): Promise<MonitorDto> {
  assertPermission(actor, "manage:monitor");
  const existing = await withOrg(actor.orgId, (tx) => findRow(tx, actor, id));
  // The merged monitor must still be complete and valid (config fields merge into the stored ones).
  const merged = parseWith(CreateMonitorSchema, {
    name: input.name ?? existing.name,
    type: existing.type,
    config: { ...((existing.config ?? {}) as object), ...(input.config ?? {}) },
    intervalSeconds: input.intervalSeconds ?? existing.intervalSeconds,
    retries: input.retries ?? existing.retries,
    channelIds: input.channelIds ?? existing.channelIds,
    agentId: input.agentId !== undefined ? input.agentId : existing.agentId,
    enabled: input.enabled ?? existing.enabled,
    resendEvery: input.resendEvery ?? existing.resendEvery,
    maintenance: input.maintenance ?? windowsOf(existing.maintenance),
  });
  if (input.config || input.agentId) await assertTargetAllowed(actor, merged);
  const row = await withOrg(actor.orgId, async (tx) => {
    await findRow(tx, actor, id);
    if (input.channelIds) await assertChannelsExist(tx, actor.orgId, input.channelIds);
    const resumed = input.enabled === true && !existing.enabled;
    const updated = await tx.monitor.update({
      where: { id },
      data: {
        name: merged.name,
        config: merged.config as object,
        intervalSeconds: merged.intervalSeconds,
        retries: merged.retries,
        channelIds: merged.channelIds,
        agentId: merged.agentId,
        enabled: merged.enabled,
        resendEvery: merged.resendEvery,
        maintenance: merged.maintenance as object[],
        // A changed target or a resumed monitor starts over: its old state says nothing about it.
        ...(input.config || resumed ? { status: "pending", failures: 0 } : {}),
      },
      select: MONITOR_SELECT,
    });
    await auditInTx(tx, { ...auditBase(actor), action: "monitor.update", targetType: "monitor", targetId: id, details: { changed: Object.keys(input) } });
    return updated;
  });
  bumpMonitorsVersion();
  return withOrg(actor.orgId, async (tx) => toDto(row, (await statsFor(tx, [row.id])).get(row.id)));
}

export async function deleteMonitor(actor: Actor, id: string): Promise<void> {
  assertPermission(actor, "manage:monitor");
  await withOrg(actor.orgId, async (tx) => {
    const row = await findRow(tx, actor, id);
    await tx.monitor.delete({ where: { id } });
    await auditInTx(tx, { ...auditBase(actor), action: "monitor.delete", targetType: "monitor", targetId: id, details: { name: row.name, type: row.type } });
  });
  bumpMonitorsVersion();
}

export interface ResultDto {
  time: string;
  /** Raw: the check's outcome; aggregated: every check of the bucket was up. */
  ok: boolean;
  /** Raw: the check's latency; aggregated: the average of the bucket's successful checks. */
  latencyMs: number | null;
  message: string | null;
  /** raw (one check), minute or hour (a rollup, decision 061). */
  resolution: "raw" | "minute" | "hour";
  checks: number;
  up: number;
  latencyMaxMs: number | null;
}

type ResultRow = { time: Date; ok: boolean; latencyMs: number | null; message: string | null; resolution: string; checks: number; up: number; latencyMaxMs: number | null };

/** Raw results where they are kept (24 h), then the minute and hour rollups; newest first. */
export async function listResults(actor: Actor, id: string, query: { from?: Date; to?: Date; limit: number }): Promise<{ items: ResultDto[]; nextCursor: null }> {
  assertPermission(actor, "read:monitor");
  const to = query.to ?? new Date();
  const from = query.from ?? new Date(to.getTime() - 24 * 3600 * 1000);
  if (from > to) throw new ValidationError("from is after to.", { from: "Must be before to." });
  const rows = await withOrg(actor.orgId, async (tx) => {
    await findRow(tx, actor, id);
    return tx.$queryRaw<ResultRow[]>`
      SELECT * FROM (
        SELECT time, ok, "latencyMs", message, 'raw' AS resolution, 1 AS checks, ok::int AS up, "latencyMs" AS "latencyMaxMs"
          FROM "MonitorResult" WHERE "monitorId" = ${id} AND time >= ${from}::timestamptz AT TIME ZONE 'UTC' AND time <= ${to}::timestamptz AT TIME ZONE 'UTC'
        UNION ALL
        SELECT bucket, up = checks, CASE WHEN "latencyCount" > 0 THEN round("latencySum"::numeric / "latencyCount")::int END, NULL, resolution, checks, up, "latencyMax"
          FROM "MonitorAggregate" WHERE "monitorId" = ${id} AND bucket >= ${from}::timestamptz AT TIME ZONE 'UTC' AND bucket <= ${to}::timestamptz AT TIME ZONE 'UTC'
      ) r ORDER BY time DESC LIMIT ${query.limit}`;
  });
  return {
    items: rows.map((r) => ({
      time: r.time.toISOString(),
      ok: r.ok,
      latencyMs: r.latencyMs,
      message: r.message,
      resolution: r.resolution === "minute" || r.resolution === "hour" ? r.resolution : "raw",
      checks: Number(r.checks),
      up: Number(r.up),
      latencyMaxMs: r.latencyMaxMs,
    })),
    nextCursor: null,
  };
}

export interface IncidentDto {
  id: string;
  /** down / up: state changes; cert: the certificate expires within the monitor's certExpiryDays. */
  kind: "down" | "up" | "cert";
  cause: string | null;
  message: string;
  at: string;
  deliveries: unknown;
}

export async function listIncidents(actor: Actor, id: string): Promise<{ items: IncidentDto[]; nextCursor: null }> {
  assertPermission(actor, "read:monitor");
  const rows = await withOrg(actor.orgId, async (tx) => {
    await findRow(tx, actor, id);
    return tx.monitorIncident.findMany({ where: { monitorId: id }, orderBy: { at: "desc" }, take: 500 });
  });
  return {
    items: rows.map((r) => ({ id: r.id, kind: r.kind === "up" || r.kind === "cert" ? r.kind : "down", cause: r.cause, message: r.message, at: r.at.toISOString(), deliveries: r.deliveries })),
    nextCursor: null,
  };
}

/** "Check now": one check through the scheduler's runner (same recording, incidents, notifications). */
export async function checkMonitorNow(actor: Actor, id: string): Promise<MonitorDto> {
  assertPermission(actor, "manage:monitor");
  const row = await withOrg(actor.orgId, (tx) => findRow(tx, actor, id));
  if (!row.enabled) throw new ConflictError("This monitor is paused: resume it first.");
  await runMonitorCheck(row);
  return getMonitor(actor, id);
}
