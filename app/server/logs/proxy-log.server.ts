// Proxy access and error logs into the log store: one follow of the agent's proxy log source
// (agent/nginx/log-source.ts: the control plane never opens nginx's files) per organization,
// following only that organization's hosts' files, feeding a LogWriter with `proxyHostId` lines
// (stream "access" | "error", level from the HTTP status or nginx's level).
// The read offsets are stored in a small JSON file once the lines before them are committed,
// so a restart resumes where it stopped (at-least-once, like the container collector); on the
// very first start files are followed from their end.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { ProxyLogOffsets, ProxyLogRecord } from "#agent/nginx/log-tail";
import type { ProxyLogFollower, ProxyLogSource as AgentProxyLogs } from "#agent/nginx/log-source";
import { assertPermission, type Actor } from "../auth/require.server";
import { NotFoundError } from "../errors.server";
import { withOrg } from "../db/client.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";
import { detectLevel } from "./level";
import { MAX_MESSAGE_CHARS, type LogLine, type ProxyLogSource } from "./log-line";
import { LogWriter, type StoredLogInput } from "./log-writer.server";

export interface ProxyLogShipper {
  readonly orgId: string;
  readonly tailer: ProxyLogFollower;
  readonly writer: LogWriter;
  /** Re-reads the organization's hosts now (tests; otherwise every few seconds). */
  refreshHosts(): Promise<void>;
  stop(): Promise<void>;
}

export interface ProxyLogShipperOptions {
  orgId: string;
  /** The agent's proxy log source (its AgentHost's `proxyLogs`). */
  logs: AgentProxyLogs;
  /** Where this organization's offsets are kept. */
  offsetsFile: string;
  pollMs?: number;
  hostRefreshMs?: number;
}

/** Pure: one tailed record → a stored line of the log store. */
export function toStoredProxyLine(record: ProxyLogRecord, agentId: string | null): StoredLogInput {
  const message = record.line.length > MAX_MESSAGE_CHARS ? `${record.line.slice(0, MAX_MESSAGE_CHARS)}…` : record.line;
  return {
    time: record.time,
    agentId,
    containerId: null,
    containerName: null,
    stack: null,
    proxyHostId: record.hostId,
    stream: record.kind,
    level: detectLevel(message, { kind: record.kind, stream: record.kind }),
    message,
  };
}

async function loadOffsets(file: string): Promise<ProxyLogOffsets | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as ProxyLogOffsets) : undefined;
  } catch {
    return undefined;
  }
}

async function saveOffsets(file: string, offsets: ProxyLogOffsets): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(offsets));
  await rename(tmp, file);
}

export async function startProxyLogShipper(options: ProxyLogShipperOptions): Promise<ProxyLogShipper> {
  const { orgId } = options;
  let hosts = new Map<string, string>(); // host id → agent id
  const refreshHosts = async () => {
    const rows = await withOrg(orgId, (tx) => tx.proxyHost.findMany({ select: { id: true, agentId: true } }));
    hosts = new Map(rows.map((r) => [r.id, r.agentId]));
  };
  await refreshHosts();
  const writer = new LogWriter(orgId);
  const stored = await loadOffsets(options.offsetsFile);
  // This organization's live viewers now ride the shipper's follow (one reader per file).
  setShipperRunning(orgId, true);
  // No stored offsets yet: the files already there start at their end, not at their beginning.
  if (!stored) await saveOffsets(options.offsetsFile, {}).catch(() => undefined);
  const tailer = options.logs.follow({
    offsets: stored,
    startAtEnd: !stored,
    include: (hostId) => hosts.has(hostId),
    // A new tree may name a host created since the last refresh: its error lines must not be
    // skipped as another organization's (the host's row is committed before its tree renders).
    onServerNamesChanged: refreshHosts,
    pollMs: options.pollMs ?? 500,
    onError: (error) => logger.warn("proxy log tail failed", { orgId, error: String(error) }),
    onBatch: async (records, offsets) => {
      await writer.push(records.map((r) => toStoredProxyLine(r, hosts.get(r.hostId) ?? null)));
      // Offsets move only once the lines before them are committed.
      await writer.drain();
      // Live viewers get the lines once they are history: a viewer that joins reads the store up to
      // now, then takes what is published after, with no gap at the seam (decision 031).
      publishProxyRecords(orgId, records);
      await saveOffsets(options.offsetsFile, offsets);
    },
  });
  const timer = setInterval(() => void refreshHosts().catch((error) => logger.warn("proxy log hosts not refreshed", { orgId, error: String(error) })), options.hostRefreshMs ?? 2_000);
  timer.unref();
  return {
    orgId,
    tailer,
    writer,
    refreshHosts,
    async stop() {
      clearInterval(timer);
      setShipperRunning(orgId, false);
      await tailer.stop();
      await writer.close();
    },
  };
}

/** The proxy hosts whose logs the Logs page offers as a filter (read:logs includes read:proxy). */
export async function listProxyLogSources(actor: Actor): Promise<{ id: string; domains: string[] }[]> {
  assertPermission(actor, "read:logs");
  return withOrg(actor.orgId, (tx) => tx.proxyHost.findMany({ select: { id: true, domains: true }, orderBy: { createdAt: "asc" } }));
}

// ---------------------------------------------------------------------------------------------
// Live proxy logs (the Logs page's merged stream). Per organization, one reader of the hosts'
// files feeds every viewer: the persistence shipper's tailer when it runs (lines are published
// once committed), otherwise a live-only tailer that starts with the first viewer (files present
// then start at their end) and stops with the last one.

export interface ProxyLiveListener {
  lines(lines: readonly LogLine<ProxyLogSource>[]): void;
}

interface HostViewers {
  source: ProxyLogSource;
  listeners: Set<ProxyLiveListener>;
}

interface ProxyFeed {
  hosts: Map<string, HostViewers>;
  shipper: boolean;
  liveTailer: ProxyLogFollower | null;
  /** The organization's hosts when the live-only tailer started (their files start at the end). */
  known: Set<string>;
}

const feeds = () => singleton("logs:proxy-live", () => ({ byOrg: new Map<string, ProxyFeed>(), tailersStarted: 0 }));

function feedOf(orgId: string): ProxyFeed {
  let feed = feeds().byOrg.get(orgId);
  if (!feed) {
    feed = { hosts: new Map(), shipper: false, liveTailer: null, known: new Set() };
    feeds().byOrg.set(orgId, feed);
  }
  return feed;
}

/** Pure: a tailed record → a live line of `source` (times at millisecond precision, like Docker's). */
export function toLiveProxyLine(record: ProxyLogRecord, source: ProxyLogSource): LogLine<ProxyLogSource> {
  const stored = toStoredProxyLine(record, source.agentId);
  const ms = Date.parse(stored.time);
  return { time: Number.isNaN(ms) ? null : new Date(ms).toISOString(), source, stream: record.kind, level: stored.level, message: stored.message };
}

/** Hands committed records to the organization's live viewers of their hosts (also remote agents' lines). */
export function publishProxyRecords(orgId: string, records: readonly ProxyLogRecord[]): void {
  const feed = feeds().byOrg.get(orgId);
  if (!feed || feed.hosts.size === 0) return;
  const byHost = new Map<string, LogLine<ProxyLogSource>[]>();
  for (const record of records) {
    const viewers = feed.hosts.get(record.hostId);
    if (!viewers) continue;
    let lines = byHost.get(record.hostId);
    if (!lines) byHost.set(record.hostId, (lines = []));
    lines.push(toLiveProxyLine(record, viewers.source));
  }
  for (const [hostId, lines] of byHost) for (const listener of feed.hosts.get(hostId)?.listeners ?? []) listener.lines(lines);
}

function setShipperRunning(orgId: string, running: boolean): void {
  const feed = feedOf(orgId);
  feed.shipper = running;
  if (running && feed.liveTailer) {
    const tailer = feed.liveTailer;
    feed.liveTailer = null;
    void tailer.stop();
  }
}

export interface ProxyLiveOptions {
  /** The agent's proxy log source; null when its nginx's logs cannot be followed (no live lines). */
  logs: AgentProxyLogs | null;
  pollMs?: number;
}

/**
 * Adds `listener` to the live lines of one proxy host of `orgId` (already checked to be the
 * organization's) and returns the function that removes it. Lines written from about now on are
 * delivered; older ones are the caller's to read from the store.
 */
export async function subscribeProxyLive(orgId: string, source: ProxyLogSource, listener: ProxyLiveListener, options: ProxyLiveOptions): Promise<() => void> {
  const feed = feedOf(orgId);
  let viewers = feed.hosts.get(source.proxyHostId);
  if (!viewers) feed.hosts.set(source.proxyHostId, (viewers = { source, listeners: new Set() }));
  viewers.listeners.add(listener);
  if (!feed.shipper && !feed.liveTailer && options.logs) {
    const rows = await withOrg(orgId, (tx) => tx.proxyHost.findMany({ select: { id: true } }));
    if (!feed.liveTailer && !feed.shipper && feed.hosts.size > 0) {
      feed.known = new Set(rows.map((r) => r.id));
      feeds().tailersStarted++;
      feed.liveTailer = options.logs.follow({
        startAtEnd: true,
        // Only this organization's hosts; files of hosts created later start at 0 (they are new).
        include: (hostId) => feed.known.has(hostId) || feed.hosts.has(hostId),
        pollMs: options.pollMs ?? 250,
        onError: (error) => logger.warn("live proxy log tail failed", { orgId, error: String(error) }),
        onBatch: async (records) => publishProxyRecords(orgId, records),
      });
    }
  }
  const mine = viewers;
  return () => {
    if (!mine.listeners.delete(listener)) return;
    if (mine.listeners.size === 0 && feed.hosts.get(source.proxyHostId) === mine) feed.hosts.delete(source.proxyHostId);
    if (feed.hosts.size === 0 && feed.liveTailer) {
      const tailer = feed.liveTailer;
      feed.liveTailer = null;
      void tailer.stop();
    }
  };
}

/** Live proxy readers (tests): live-only tailers running and started, viewers per host. */
export function proxyLiveStats(): { liveTailers: number; tailersStarted: number; viewers: Record<string, number> } {
  let liveTailers = 0;
  const viewers: Record<string, number> = {};
  for (const feed of feeds().byOrg.values()) {
    if (feed.liveTailer) liveTailers++;
    for (const [hostId, v] of feed.hosts) viewers[hostId] = v.listeners.size;
  }
  return { liveTailers, tailersStarted: feeds().tailersStarted, viewers };
}

/** The given proxy hosts of the organization as live sources; a host it does not have is a 404. */
export async function resolveProxySources(actor: Actor, ids: readonly string[]): Promise<ProxyLogSource[]> {
  assertPermission(actor, "read:logs");
  const unique = [...new Set(ids)];
  const rows = await withOrg(actor.orgId, (tx) => tx.proxyHost.findMany({ where: { id: { in: unique } }, select: { id: true, agentId: true, domains: true } }));
  if (rows.length !== unique.length) throw new NotFoundError("Proxy host not found.");
  const byId = new Map(rows.map((r) => [r.id, r]));
  return unique.map((id) => {
    const r = byId.get(id)!;
    return { agentId: r.agentId, proxyHostId: r.id, proxyHostName: r.domains[0] ?? r.id };
  });
}
