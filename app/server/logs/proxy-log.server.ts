// Proxy access and error logs into the log store: one agent-side tailer (agent/nginx/log-tail.ts)
// per organization, following only that organization's hosts' files, feeding a LogWriter with
// `proxyHostId` lines (stream "access" | "error", level from the HTTP status or nginx's level).
// The read offsets are stored in a small JSON file once the lines before them are committed,
// so a restart resumes where it stopped (at-least-once, like the container collector); on the
// very first start files are followed from their end.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ProxyLogTailer, type ProxyLogOffsets, type ProxyLogRecord } from "#agent/nginx/log-tail";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import { logger } from "../logger.server";
import { HOST_LOGS_DIR } from "../proxy/render";
import { detectLevel } from "./level";
import { MAX_MESSAGE_CHARS } from "./log-line";
import { LogWriter, type StoredLogInput } from "./log-writer.server";

export interface ProxyLogShipper {
  readonly orgId: string;
  readonly tailer: ProxyLogTailer;
  readonly writer: LogWriter;
  /** Re-reads the organization's hosts now (tests; otherwise every few seconds). */
  refreshHosts(): Promise<void>;
  stop(): Promise<void>;
}

export interface ProxyLogShipperOptions {
  orgId: string;
  /** The nginx prefix (NGINX_CONF_DIR); the per-host logs are under `logs/hosts`. */
  nginxPrefix: string;
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
  const tailer = new ProxyLogTailer({
    dir: join(options.nginxPrefix, HOST_LOGS_DIR),
    offsets: stored,
    startAtEnd: !stored,
    include: (hostId) => hosts.has(hostId),
    pollMs: options.pollMs ?? 500,
    onError: (error) => logger.warn("proxy log tail failed", { orgId, error: String(error) }),
    onBatch: async (records, offsets) => {
      await writer.push(records.map((r) => toStoredProxyLine(r, hosts.get(r.hostId) ?? null)));
      // Offsets move only once the lines before them are committed.
      await writer.drain();
      await saveOffsets(options.offsetsFile, offsets);
    },
  });
  // No stored offsets yet: the files already there start at their end, not at their beginning.
  if (!stored) await saveOffsets(options.offsetsFile, {}).catch(() => undefined);
  tailer.start();
  const timer = setInterval(() => void refreshHosts().catch((error) => logger.warn("proxy log hosts not refreshed", { orgId, error: String(error) })), options.hostRefreshMs ?? 2_000);
  timer.unref();
  return {
    orgId,
    tailer,
    writer,
    refreshHosts,
    async stop() {
      clearInterval(timer);
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
