// Audit forwarders (SaaS, decision 146): ship an organization's audit entries to its SIEM, at
// least once and in id order. Each forwarder keeps its own cursor (`lastForwardedId`): a batch is
// read after the cursor, sent, and only once the destination has it does the cursor move. A
// failure keeps the cursor, records the error and backs off (2 s, 4 s, … up to 5 min); a dead
// destination holds only its own forwarder, never the product or the other forwarders.
import { assertPermission, type Actor } from "../auth/require.server";
import { systemDb, withOrg, type Tx } from "../db/client.server";
import { NotFoundError, ValidationError } from "../errors.server";
import { logger } from "../logger.server";
import { DeliveryError, policyFromEnv, resolveHostAllowed, type AddressPolicy } from "../alerts/safe-fetch.server";
import { auditInTx } from "./audit.server";
import { productInfo, streamedToDto } from "./audit-log.server";
import { openAuditSnapshot } from "./audit-stream.server";
import { toSyslog5424, type ProductInfo } from "./formats";
import { sendSyslog } from "./syslog-sender.server";
import type { AuditForwarderCreateInput, AuditForwarderDto, AuditForwarderPatchInput, SyslogForwarderConfig } from "~/validation/audit";
import type { Queryable } from "../db/pg-pool.server";

/** Entries per batch (one connection per batch over TCP/TLS). */
export const FORWARD_BATCH = 500;
/** Batches per forwarder per round, so one long backlog does not hold the round. */
const BATCHES_PER_ROUND = 20;
const BACKOFF_MAX_MS = 5 * 60 * 1000;

/** Pure: the wait after `failures` failures in a row (2 s, 4 s, 8 s, … capped at 5 min). */
export function backoffMs(failures: number): number {
  return Math.min(BACKOFF_MAX_MS, 1000 * 2 ** Math.min(Math.max(failures, 1), 20));
}

type ForwarderRow = Awaited<ReturnType<Tx["auditForwarder"]["findFirstOrThrow"]>>;

function configOf(row: ForwarderRow): SyslogForwarderConfig {
  return row.config as unknown as SyslogForwarderConfig;
}

async function toDto(tx: Tx, row: ForwarderRow): Promise<AuditForwarderDto> {
  const lagEntries = await tx.auditLog.count({ where: { orgId: row.orgId, id: { gt: row.lastForwardedId } } });
  return {
    id: row.id,
    type: row.type,
    config: configOf(row),
    enabled: row.enabled,
    lastForwardedId: row.lastForwardedId.toString(),
    lastForwardedAt: row.lastForwardedAt?.toISOString() ?? null,
    lagEntries,
    lastError: row.lastError,
    lastErrorAt: row.lastErrorAt?.toISOString() ?? null,
    failures: row.failures,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}

/** Saving a destination: it must pass the alert channels' address policy (field error otherwise). */
async function assertDestinationAllowed(config: SyslogForwarderConfig, policy: AddressPolicy = policyFromEnv()): Promise<void> {
  try {
    await resolveHostAllowed(config.host.replace(/^\[(.*)\]$/, "$1"), config.port, policy);
  } catch (error) {
    if (error instanceof DeliveryError) throw new ValidationError("This destination is not allowed.", { "config.host": error.message });
    throw error;
  }
}

function normalise(config: SyslogForwarderConfig): SyslogForwarderConfig {
  return { host: config.host, port: config.port, protocol: config.protocol, caCertPem: config.caCertPem?.trim() ? config.caCertPem.trim() : null };
}

export async function listForwarders(actor: Actor): Promise<AuditForwarderDto[]> {
  assertPermission(actor, "read:audit");
  return withOrg(actor.orgId, async (tx) => {
    const rows = await tx.auditForwarder.findMany({ orderBy: { createdAt: "asc" } });
    return Promise.all(rows.map((r) => toDto(tx, r)));
  });
}

export async function createForwarder(actor: Actor, input: AuditForwarderCreateInput): Promise<AuditForwarderDto> {
  assertPermission(actor, "manage:settings");
  const config = normalise(input.config);
  await assertDestinationAllowed(config);
  return withOrg(actor.orgId, async (tx) => {
    const row = await tx.auditForwarder.create({ data: { orgId: actor.orgId, type: input.type, config: config as object, enabled: input.enabled ?? true } });
    await auditInTx(tx, {
      orgId: actor.orgId,
      action: "audit.forwarder.create",
      outcome: "success",
      actorId: actor.userId,
      actorEmail: actor.email,
      targetType: "audit_forwarder",
      targetId: row.id,
      ip: actor.ip,
      userAgent: actor.userAgent,
      details: { type: row.type, host: config.host, port: config.port, protocol: config.protocol, enabled: row.enabled },
    });
    return toDto(tx, row);
  });
}

export async function updateForwarder(actor: Actor, id: string, input: AuditForwarderPatchInput): Promise<AuditForwarderDto> {
  assertPermission(actor, "manage:settings");
  const config = input.config ? normalise(input.config) : undefined;
  if (config) await assertDestinationAllowed(config);
  return withOrg(actor.orgId, async (tx) => {
    const current = await tx.auditForwarder.findFirst({ where: { id } });
    if (!current) throw new NotFoundError("No such forwarder.");
    const row = await tx.auditForwarder.update({
      where: { id },
      // A changed destination or a re-enabled forwarder is tried at once.
      data: { ...(config ? { config: config as object } : {}), ...(input.enabled !== undefined ? { enabled: input.enabled } : {}), nextAttemptAt: new Date(), failures: 0, updatedAt: new Date() },
    });
    await auditInTx(tx, {
      orgId: actor.orgId,
      action: "audit.forwarder.update",
      outcome: "success",
      actorId: actor.userId,
      actorEmail: actor.email,
      targetType: "audit_forwarder",
      targetId: id,
      ip: actor.ip,
      userAgent: actor.userAgent,
      details: { ...(config ? { host: config.host, port: config.port, protocol: config.protocol } : {}), ...(input.enabled !== undefined ? { enabled: input.enabled } : {}) },
    });
    return toDto(tx, row);
  });
}

export async function deleteForwarder(actor: Actor, id: string): Promise<void> {
  assertPermission(actor, "manage:settings");
  await withOrg(actor.orgId, async (tx) => {
    const current = await tx.auditForwarder.findFirst({ where: { id } });
    if (!current) throw new NotFoundError("No such forwarder.");
    await tx.auditForwarder.delete({ where: { id } });
    await auditInTx(tx, {
      orgId: actor.orgId,
      action: "audit.forwarder.delete",
      outcome: "success",
      actorId: actor.userId,
      actorEmail: actor.email,
      targetType: "audit_forwarder",
      targetId: id,
      ip: actor.ip,
      userAgent: actor.userAgent,
      details: { type: current.type, host: configOf(current).host },
    });
  });
}

/** "Send test": one test message to the destination now; the cursor does not move. */
export async function testForwarder(actor: Actor, id: string, product: ProductInfo = productInfo()): Promise<{ ok: boolean; message: string }> {
  assertPermission(actor, "manage:settings");
  const row = await withOrg(actor.orgId, (tx) => tx.auditForwarder.findFirst({ where: { id } }));
  if (!row) throw new NotFoundError("No such forwarder.");
  const config = configOf(row);
  const line = toSyslog5424(
    { id: "0", time: new Date().toISOString(), actorId: actor.userId, actorEmail: actor.email, action: "audit.forwarder.test", targetType: "audit_forwarder", targetId: row.id, ip: null, userAgent: null, outcome: "success", details: { test: true } },
    product,
  );
  try {
    await sendSyslog(config, [line], { timeoutMs: 10_000 });
    return { ok: true, message: `A test message reached ${config.host}:${config.port} over ${config.protocol.toUpperCase()}.` };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

// ---------------------------------------------------------------- delivery

export interface DeliveryOptions {
  product?: ProductInfo;
  policy?: AddressPolicy;
  pool?: Queryable;
  now?: () => Date;
}

/** Sends one forwarder's backlog, batch by batch, moving its cursor after each acknowledged batch. */
export async function deliverForwarder(orgId: string, forwarderId: string, options: DeliveryOptions = {}): Promise<{ sent: number; error?: string }> {
  const now = options.now ?? (() => new Date());
  const product = options.product ?? productInfo();
  let sent = 0;
  const row = await withOrg(orgId, (tx) => tx.auditForwarder.findFirst({ where: { id: forwarderId } }));
  if (!row || !row.enabled) return { sent };
  let cursor = row.lastForwardedId;
  try {
    for (let round = 0; round < BATCHES_PER_ROUND; round++) {
      // A short snapshot per batch: no connection is held while the destination is slow.
      const snapshot = await openAuditSnapshot(orgId, options.pool);
      const batch: ReturnType<typeof streamedToDto>[] = [];
      try {
        for await (const rows of snapshot.rows({ afterId: cursor, limit: FORWARD_BATCH, chunk: FORWARD_BATCH })) batch.push(...rows.map(streamedToDto));
      } finally {
        await snapshot.close();
      }
      if (batch.length === 0) break;
      await sendSyslog(configOf(row), batch.map((e) => toSyslog5424(e, product)), { policy: options.policy });
      cursor = BigInt(batch[batch.length - 1]!.id);
      sent += batch.length;
      // Only forwards: a concurrent delivery that got further is not rolled back.
      await withOrg(orgId, (tx) =>
        tx.auditForwarder.updateMany({
          where: { id: forwarderId, lastForwardedId: { lt: cursor } },
          data: { lastForwardedId: cursor, lastForwardedAt: now(), failures: 0, lastError: null, nextAttemptAt: now() },
        }),
      );
      if (batch.length < FORWARD_BATCH) break;
    }
    return { sent };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await withOrg(orgId, async (tx) => {
      const current = await tx.auditForwarder.findFirst({ where: { id: forwarderId }, select: { failures: true } });
      const failures = (current?.failures ?? 0) + 1;
      await tx.auditForwarder.updateMany({
        where: { id: forwarderId },
        data: { failures, lastError: message.slice(0, 1000), lastErrorAt: now(), nextAttemptAt: new Date(now().getTime() + backoffMs(failures)) },
      });
    });
    return { sent, error: message };
  }
}

const inFlight = new Map<string, Promise<{ sent: number; error?: string }>>();

/**
 * One round over every organization's due forwarders (the job, on one replica): each delivery runs
 * on its own, and the round waits for them at most `waitMs` — a slow or dead destination keeps
 * delivering (or timing out) in the background while the next rounds serve everybody else.
 */
export async function deliverAuditForwarders(options: DeliveryOptions & { waitMs?: number } = {}): Promise<{ forwarders: number; sent: number }> {
  const now = options.now ?? (() => new Date());
  const orgs = await systemDb().$queryRaw<{ orgId: string }[]>`SELECT "orgId" FROM organization_ids()`;
  const started: Promise<{ sent: number; error?: string }>[] = [];
  for (const { orgId } of orgs) {
    const rows = await withOrg(orgId, (tx) => tx.auditForwarder.findMany({ where: { enabled: true, nextAttemptAt: { lte: now() } }, select: { id: true } }));
    for (const { id } of rows) {
      if (inFlight.has(id)) continue;
      const delivery = deliverForwarder(orgId, id, options)
        .catch((error: unknown) => {
          logger.warn("audit forwarder delivery failed", { forwarderId: id, error });
          return { sent: 0, error: String(error) };
        })
        .finally(() => inFlight.delete(id));
      inFlight.set(id, delivery);
      started.push(delivery);
    }
  }
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.waitMs ?? 4_000)));
  await Promise.race([Promise.all(started.map((p) => p.then((r) => void (sent += r.sent)))), waited]);
  clearTimeout(timer);
  return { forwarders: started.length, sent };
}
