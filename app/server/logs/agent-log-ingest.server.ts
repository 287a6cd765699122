// Log batches from remote agents into the log store (docs/decisions/135-agent-log-spool.md). The
// agent ships numbered batches of its containers' and nginx's lines (agent/remote/log-shipper.ts);
// each batch is written by the log writer's batch insert (decision 030: partitions, usage, the
// plan's quota) in one transaction that also raises the agent's `logSeq` to the batch's sequence
// number, and is acknowledged only after that transaction committed. A batch whose number is not
// above `logSeq` was committed before (a resend after a lost ack or a reconnect): it is
// acknowledged and not stored again. Batches of one agent are handled one at a time, in order;
// the row lock on the agent's row orders them across replicas too.
// What a batch says is attributed to the agent that proved its key on the socket: lines carry its
// id and organization, and an nginx line is kept only for a proxy host of that agent.
import { z } from "zod";
import { LOG_BATCH_MAX_LINES, type LogBatchAck, type LogResumeAck } from "#agent/remote/protocol";
import { appPool, withOrgClient } from "../db/pg-pool.server";
import { edition } from "../edition.server";
import { logger } from "../logger.server";
import { logQuotaFor } from "../plans/log-quota.server";
import { singleton } from "../singleton.server";
import { detectLevel } from "./level";
import { MAX_MESSAGE_CHARS } from "./log-line";
import { insertLogBatch, toMicrosIso, type StoredLogInput } from "./log-writer.server";
import { publishProxyRecords, toStoredProxyLine } from "./proxy-log.server";

const time = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/);
const message = z.string().max(MAX_MESSAGE_CHARS * 4);
const count = z.number().int().min(1).max(1e12).optional();
const wireLine = z.union([
  z.object({ c: z.string().regex(/^[a-f0-9]{64}$/), n: z.string().max(255), s: z.string().max(255).nullable(), t: time, o: z.enum(["stdout", "stderr"]), m: message, d: count }).strict(),
  z.object({ h: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), k: z.enum(["access", "error"]), t: time, m: message, d: count }).strict(),
]);
const batchFrame = z.object({ seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER), lines: z.array(wireLine).max(LOG_BATCH_MAX_LINES), pos: z.unknown() });

export interface AgentScope {
  agentId: string;
  orgId: string;
}

class DuplicateBatch extends Error {}

/** One promise chain per agent: its batches are written one at a time, in arrival order. */
const chains = () => singleton("logs:agent-ingest-chains", () => new Map<string, Promise<unknown>>());

function serial<T>(agentId: string, task: () => Promise<T>): Promise<T> {
  const previous = chains().get(agentId) ?? Promise.resolve();
  const next = previous.then(task, task);
  const settled = next.catch(() => undefined);
  chains().set(agentId, settled);
  void settled.then(() => {
    if (chains().get(agentId) === settled) chains().delete(agentId);
  });
  return next;
}

async function committedSeq(scope: AgentScope): Promise<number> {
  return withOrgClient(scope.orgId, async (client) => Number((await client.query<{ seq: string }>(`SELECT "logSeq"::text AS seq FROM "Agent" WHERE id = $1`, [scope.agentId])).rows[0]?.seq ?? 0));
}

/** `logs:resume`: the highest sequence number of this agent already committed. */
export async function resumeAgentLogs(scope: AgentScope): Promise<LogResumeAck> {
  try {
    return { ok: true, seq: await serial(scope.agentId, () => committedSeq(scope)) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Pure: a batch's lines as stored lines of `agentId`; nginx lines only for `hosts` (its proxy hosts). */
export function toStoredAgentLines(agentId: string, lines: z.infer<typeof wireLine>[], hosts: ReadonlySet<string>): { stored: StoredLogInput[]; refused: number } {
  const stored: StoredLogInput[] = [];
  let refused = 0;
  for (const line of lines) {
    const m = line.m.length > MAX_MESSAGE_CHARS ? `${line.m.slice(0, MAX_MESSAGE_CHARS)}…` : line.m;
    if ("c" in line) {
      stored.push({
        time: toMicrosIso(line.t),
        agentId,
        containerId: line.c,
        containerName: line.n.replace(/^\//, ""),
        stack: line.s,
        proxyHostId: null,
        stream: line.o,
        level: line.d ? "warn" : detectLevel(m, { stream: line.o }),
        message: m,
      });
    } else if (hosts.has(line.h)) {
      const s = toStoredProxyLine({ hostId: line.h, kind: line.k, time: toMicrosIso(line.t), line: m }, agentId);
      stored.push(line.d ? { ...s, level: "warn" } : s);
    } else refused++;
  }
  return { stored, refused };
}

/** `logs:batch`: writes the batch unless it was committed before; answers once committed. */
export async function ingestAgentLogBatch(scope: AgentScope, frame: unknown): Promise<LogBatchAck> {
  const parsed = batchFrame.safeParse(frame);
  if (!parsed.success) {
    logger.warn("agent frame dropped", { agentId: scope.agentId, reason: "malformed log batch" });
    return { ok: false, error: "Malformed log batch." };
  }
  const { seq, lines } = parsed.data;
  try {
    return await serial(scope.agentId, () => writeBatch(scope, seq, lines));
  } catch (error) {
    logger.warn("agent log batch not committed", { agentId: scope.agentId, seq, error: String(error) });
    return { ok: false, error: "The log store did not take the batch; send it again later." };
  }
}

async function writeBatch(scope: AgentScope, seq: number, lines: z.infer<typeof wireLine>[]): Promise<LogBatchAck> {
  const { agentId, orgId } = scope;
  if (seq <= (await committedSeq(scope))) return { ok: true, seq, duplicate: true };
  const hostIds = [...new Set(lines.flatMap((l) => ("h" in l ? [l.h] : [])))];
  const hosts = new Set<string>();
  if (hostIds.length > 0) {
    const rows = await withOrgClient(orgId, async (c) => (await c.query<{ id: string }>(`SELECT id FROM "ProxyHost" WHERE "orgId" = $1 AND "agentId" = $2 AND id = ANY($3::text[])`, [orgId, agentId, hostIds])).rows);
    for (const r of rows) hosts.add(r.id);
  }
  const { stored: all, refused } = toStoredAgentLines(agentId, lines, hosts);
  if (refused > 0) logger.warn("agent frame dropped", { agentId, reason: "nginx lines of a proxy host not on this agent", lines: refused });
  // The plan's monthly volume (decision 095) applies to nodes' lines as to the built-in agent's.
  const stored = edition() === "saas" && all.length > 0 ? await logQuotaFor(orgId).admit(all) : all;
  const raise = async (client: { query: (text: string, values: unknown[]) => Promise<{ rowCount: number | null }> }) => {
    const updated = await client.query(`UPDATE "Agent" SET "logSeq" = $2 WHERE id = $1 AND "logSeq" < $2`, [agentId, seq]);
    if (updated.rowCount === 0) throw new DuplicateBatch();
  };
  try {
    if (stored.length > 0) await insertLogBatch(orgId, stored, appPool(), undefined, raise);
    else await withOrgClient(orgId, raise);
  } catch (error) {
    // Another connection's copy of the same batch committed first (its row lock ordered us after it).
    if (error instanceof DuplicateBatch) return { ok: true, seq, duplicate: true };
    throw error;
  }
  const records = stored.filter((l) => l.proxyHostId).map((l) => ({ hostId: l.proxyHostId!, kind: l.stream as "access" | "error", time: l.time, line: l.message }));
  if (records.length > 0) publishProxyRecords(orgId, records);
  return { ok: true, seq };
}
