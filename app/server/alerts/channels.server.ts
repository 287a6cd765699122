// Notification channels: create, list, update, delete, "Send test". Secrets are sealed together
// (AES-256-GCM, crypto.server.ts) and never leave the server: the DTO says only which are set.
// Every URL and SMTP host passes the SSRF policy when saved, and again on every send.
import type { z } from "zod";
import { assertPermission, type Actor } from "../auth/require.server";
import { auditInTx } from "../audit/audit.server";
import { seal, unseal } from "../crypto.server";
import { withOrg, type Tx } from "../db/client.server";
import { env } from "../env.server";
import { ConflictError, NotFoundError, ValidationError } from "../errors.server";
import { parseWith } from "../http/api.server";
import { ChannelConfigSchemas, CHANNEL_TYPES, SECRET_FIELDS, type ChannelType, type CreateChannelSchema, type UpdateChannelSchema } from "~/validation/alerts";
import { deliver, type DeliveryResult } from "./channels/index.server";
import { testMessage } from "./channels/format";
import type { ChannelSettings } from "./channels/types";
import { assertUrlAllowed, DeliveryError, policyFromEnv, resolveHostAllowed } from "./safe-fetch.server";

export interface ChannelDto {
  id: string;
  name: string;
  type: ChannelType;
  /** Fields that may be shown; secrets are absent. */
  config: Record<string, unknown>;
  /** Which secret fields hold a value (webhook headers: their names only). */
  secrets: Record<string, boolean | string[]>;
  createdAt: string;
  updatedAt: string;
}

type Row = { id: string; name: string; type: string; config: unknown; secretsSealed: string | null; createdAt: Date; updatedAt: Date };
const SELECT = { id: true, name: true, type: true, config: true, secretsSealed: true, createdAt: true, updatedAt: true } as const;

export const DELIVERY_TIMEOUT_MS = 10_000;

function channelType(type: string): ChannelType {
  return (CHANNEL_TYPES as readonly string[]).includes(type) ? (type as ChannelType) : "webhook";
}

function readSecrets(row: Pick<Row, "secretsSealed">): Record<string, unknown> {
  if (!row.secretsSealed) return {};
  return JSON.parse(unseal(row.secretsSealed)) as Record<string, unknown>;
}

function toDto(row: Row): ChannelDto {
  const type = channelType(row.type);
  const secrets = readSecrets(row);
  const flags: ChannelDto["secrets"] = {};
  for (const field of SECRET_FIELDS[type]) {
    const value = secrets[field];
    flags[field] = field === "headers" ? Object.keys((value as Record<string, string> | null) ?? {}) : value !== undefined && value !== null && value !== "";
  }
  return { id: row.id, name: row.name, type, config: (row.config ?? {}) as Record<string, unknown>, secrets: flags, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

/** Splits validated settings into what may be shown and what is sealed. */
function split(type: ChannelType, settings: Record<string, unknown>): { config: Record<string, unknown>; secrets: Record<string, unknown> } {
  const config: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) {
    if (SECRET_FIELDS[type].includes(k)) {
      if (v !== undefined && v !== null && v !== "") secrets[k] = v;
    } else config[k] = v;
  }
  return { config, secrets };
}

/** The URLs a channel will call, with the field each comes from. */
function destinations(type: ChannelType, s: Record<string, unknown>): { field: string; url: string }[] {
  const field = { slack: "webhookUrl", discord: "webhookUrl", teams: "webhookUrl", webhook: "url", telegram: "apiUrl", ntfy: "serverUrl", gotify: "serverUrl", smtp: "" }[type];
  return field && typeof s[field] === "string" ? [{ field, url: s[field] as string }] : [];
}

/** Validates settings for a type and checks every destination against the SSRF policy. */
async function validateSettings(type: ChannelType, raw: Record<string, unknown>): Promise<Record<string, unknown>> {
  const settings = parseWith(ChannelConfigSchemas[type], raw) as Record<string, unknown>;
  const policy = policyFromEnv();
  try {
    for (const d of destinations(type, settings)) {
      try {
        await assertUrlAllowed(d.url, policy);
      } catch (error) {
        throw Object.assign(error as Error, { field: d.field });
      }
    }
    if (type === "smtp") {
      try {
        await resolveHostAllowed(String(settings.host), Number(settings.port), policy);
      } catch (error) {
        throw Object.assign(error as Error, { field: "host" });
      }
    }
  } catch (error) {
    if (error instanceof DeliveryError) {
      const field = `config.${(error as DeliveryError & { field?: string }).field ?? "url"}`;
      throw new ValidationError(`This destination is not allowed: ${error.message}`, { [field]: error.message });
    }
    throw error;
  }
  return settings;
}

async function findRow(tx: Tx, actor: Actor, id: string): Promise<Row> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError("No such channel.");
  const row = await tx.alertChannel.findFirst({ where: { id, orgId: actor.orgId }, select: SELECT });
  if (!row) throw new NotFoundError("No such channel.");
  return row;
}

function uniqueName<T>(fn: () => Promise<T>): Promise<T> {
  return fn().catch((error: { code?: string }) => {
    if (error?.code === "P2002") throw new ConflictError("A channel with this name already exists.");
    throw error;
  });
}

const auditBase = (actor: Actor) => ({ orgId: actor.orgId, actorId: actor.userId, actorEmail: actor.email, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null, outcome: "success" as const });

export async function listChannels(actor: Actor): Promise<{ items: ChannelDto[]; nextCursor: null }> {
  assertPermission(actor, "read:alert");
  const rows = await withOrg(actor.orgId, (tx) => tx.alertChannel.findMany({ where: { orgId: actor.orgId }, select: SELECT, orderBy: { name: "asc" }, take: 500 }));
  return { items: rows.map(toDto), nextCursor: null };
}

export async function getChannel(actor: Actor, id: string): Promise<ChannelDto> {
  assertPermission(actor, "read:alert");
  return toDto(await withOrg(actor.orgId, (tx) => findRow(tx, actor, id)));
}

export async function createChannel(actor: Actor, input: z.infer<typeof CreateChannelSchema>): Promise<ChannelDto> {
  assertPermission(actor, "manage:alert");
  const settings = await validateSettings(input.type, input.config);
  const { config, secrets } = split(input.type, settings);
  const row = await uniqueName(() =>
    withOrg(actor.orgId, async (tx) => {
      const created = await tx.alertChannel.create({
        data: { orgId: actor.orgId, name: input.name, type: input.type, config: config as object, secretsSealed: Object.keys(secrets).length ? seal(JSON.stringify(secrets)) : null },
        select: SELECT,
      });
      await auditInTx(tx, { ...auditBase(actor), action: "alert.channel.create", targetType: "alert_channel", targetId: created.id, details: { name: input.name, type: input.type } });
      return created;
    }),
  );
  return toDto(row);
}

export async function updateChannel(actor: Actor, id: string, input: z.infer<typeof UpdateChannelSchema>): Promise<ChannelDto> {
  assertPermission(actor, "manage:alert");
  const existing = await withOrg(actor.orgId, (tx) => findRow(tx, actor, id));
  const type = channelType(existing.type);
  let data: { name?: string; config?: object; secretsSealed?: string | null } = {};
  if (input.name !== undefined) data.name = input.name;
  if (input.config !== undefined) {
    // Secrets not sent keep their value; an explicit null clears an optional one.
    const stored = readSecrets(existing);
    const merged: Record<string, unknown> = { ...(existing.config as object), ...stored };
    for (const [k, v] of Object.entries(input.config)) {
      if (v === null && SECRET_FIELDS[type].includes(k)) delete merged[k];
      else merged[k] = v;
    }
    const settings = await validateSettings(type, merged);
    const { config, secrets } = split(type, settings);
    data = { ...data, config, secretsSealed: Object.keys(secrets).length ? seal(JSON.stringify(secrets)) : null };
  }
  const row = await uniqueName(() =>
    withOrg(actor.orgId, async (tx) => {
      await findRow(tx, actor, id);
      const updated = await tx.alertChannel.update({ where: { id }, data, select: SELECT });
      const changed = [...(input.name !== undefined ? ["name"] : []), ...Object.keys(input.config ?? {}).map((k) => `config.${k}`)];
      await auditInTx(tx, { ...auditBase(actor), action: "alert.channel.update", targetType: "alert_channel", targetId: id, details: { changed } });
      return updated;
    }),
  );
  return toDto(row);
}

export async function deleteChannel(actor: Actor, id: string): Promise<void> {
  assertPermission(actor, "manage:alert");
  await withOrg(actor.orgId, async (tx) => {
    const row = await findRow(tx, actor, id);
    await tx.alertChannel.delete({ where: { id } });
    // Rules stop pointing at it.
    const rules = await tx.alertRule.findMany({ where: { orgId: actor.orgId, channelIds: { has: id } }, select: { id: true, channelIds: true } });
    for (const r of rules) await tx.alertRule.update({ where: { id: r.id }, data: { channelIds: r.channelIds.filter((c) => c !== id) } });
    await auditInTx(tx, { ...auditBase(actor), action: "alert.channel.delete", targetType: "alert_channel", targetId: id, details: { name: row.name, type: row.type } });
  });
}

/** "Send test": one attempt, the exact failure reported back. */
export async function testChannel(actor: Actor, id: string): Promise<{ ok: boolean; message: string }> {
  assertPermission(actor, "manage:alert");
  const row = await withOrg(actor.orgId, (tx) => findRow(tx, actor, id));
  const type = channelType(row.type);
  const result = await deliver(type, testMessage(`${env().PUBLIC_URL}/alerts`), settingsOf(row), { policy: policyFromEnv(), timeoutMs: DELIVERY_TIMEOUT_MS }, { attempts: 1, backoffMs: 0 });
  await withOrg(actor.orgId, (tx) =>
    auditInTx(tx, { ...auditBase(actor), outcome: result.ok ? "success" : "failure", action: "alert.channel.test", targetType: "alert_channel", targetId: id, details: { error: result.error } }),
  );
  return { ok: result.ok, message: result.ok ? `Test notification sent through ${row.name}.` : (result.error ?? "failed") };
}

function settingsOf(row: Pick<Row, "config" | "secretsSealed">): ChannelSettings {
  return { ...((row.config ?? {}) as object), ...readSecrets(row) };
}

export interface DeliverableChannel {
  id: string;
  name: string;
  type: ChannelType;
  settings: ChannelSettings;
}

/** For the engine: the given channels of an organization with their secrets, inside its transaction. */
export async function loadDeliverableChannels(tx: Tx, orgId: string, ids: string[]): Promise<Map<string, DeliverableChannel>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.alertChannel.findMany({ where: { orgId, id: { in: ids } }, select: SELECT });
  return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, type: channelType(r.type), settings: settingsOf(r) }]));
}

export type { DeliveryResult };
