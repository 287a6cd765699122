// The contract's log line (API.md) built from an agent LogEntry. Pure and shared by the REST
// endpoint, the live tail over Socket.IO and, later, the persisted multi-container logs.
import type { LogEntry } from "#agent/types";
import { detectLevel, type LogLevel } from "./level";

export interface ContainerLogSource {
  agentId: string;
  containerId: string;
  containerName: string;
}

/** A proxy host's access or error log as a live source (the Logs page's merged stream). */
export interface ProxyLogSource {
  agentId: string | null;
  proxyHostId: string;
  /** Its first domain, for display. */
  proxyHostName: string;
}

export type LogSource = ContainerLogSource | ProxyLogSource;

export interface LogLine<S extends LogSource = ContainerLogSource> {
  time: string | null;
  source: S;
  stream: S extends ProxyLogSource ? "access" | "error" : "stdout" | "stderr";
  level: LogLevel;
  message: string;
}

/** A line of the Logs page's merged live stream: a container's or a proxy host's. */
export type LiveLine = LogLine<ContainerLogSource> | LogLine<ProxyLogSource>;

export function isProxySource(source: LogSource): source is ProxyLogSource {
  return "proxyHostId" in source;
}

/** One key per source (colour, seams): the container id or the proxy host id. */
export function sourceKey(source: LogSource): string {
  return isProxySource(source) ? `proxy:${source.proxyHostId}` : source.containerId;
}

/** What the page shows as the source's name. */
export function sourceName(source: LogSource): string {
  return isProxySource(source) ? source.proxyHostName : source.containerName;
}

/** Longest message kept per line: a runaway line must not blow up a batch. */
export const MAX_MESSAGE_CHARS = 16_384;

export function toLogLine(entry: LogEntry, source: ContainerLogSource): LogLine {
  const message = entry.message.length > MAX_MESSAGE_CHARS ? `${entry.message.slice(0, MAX_MESSAGE_CHARS)}…` : entry.message;
  return { time: entry.time, source, stream: entry.stream, level: detectLevel(message, { stream: entry.stream }), message };
}
