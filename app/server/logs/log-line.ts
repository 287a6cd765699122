// The contract's log line (API.md) built from an agent LogEntry. Pure and shared by the REST
// endpoint, the live tail over Socket.IO and, later, the persisted multi-container logs.
import type { LogEntry } from "#agent/types";
import { detectLevel, type LogLevel } from "./level";

export interface ContainerLogSource {
  agentId: string;
  containerId: string;
  containerName: string;
}

export interface LogLine {
  time: string | null;
  source: ContainerLogSource;
  stream: "stdout" | "stderr";
  level: LogLevel;
  message: string;
}

/** Longest message kept per line: a runaway line must not blow up a batch. */
export const MAX_MESSAGE_CHARS = 16_384;

export function toLogLine(entry: LogEntry, source: ContainerLogSource): LogLine {
  const message = entry.message.length > MAX_MESSAGE_CHARS ? `${entry.message.slice(0, MAX_MESSAGE_CHARS)}…` : entry.message;
  return { time: entry.time, source, stream: entry.stream, level: detectLevel(message, { stream: entry.stream }), message };
}
