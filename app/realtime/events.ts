// The typed Socket.IO event maps of the /ui namespace, shared by the server and the browser.
// Subscriptions answer through an acknowledgement; pushes carry batches, never single items.
import type { HostStats } from "#agent/stats-history";
import type { ContainerStats } from "#agent/types";
import type { ContainerListItem } from "~/server/docker/containers.server";
import type { LiveLine, LogLine, LogSource } from "~/server/logs/log-line";

export type Ack<T extends object = object> = (result: ({ ok: true } & T) | { ok: false; error: { code: string; message: string } }) => void;

export interface ClientToServerEvents {
  "containers:subscribe": (payload: { agentId: string }, ack?: Ack) => void;
  "containers:unsubscribe": (payload: { agentId: string }) => void;
  "logs:subscribe": (payload: { agentId: string; containerId: string; tail?: number }, ack?: Ack<{ subscriptionId: string }>) => void;
  "logs:unsubscribe": (payload: { subscriptionId: string }) => void;
  /** Several containers (ids, a compose stack or all running ones) and proxy hosts' access and
   *  error logs merged into one live stream; `since` (ISO) replays what was printed after it first
   *  (a reconnecting viewer's last line). */
  "logs:stream": (
    payload: { agentId: string; containerIds?: string[]; stack?: string; all?: boolean; proxyHostIds?: string[]; since?: string },
    ack?: Ack<{ subscriptionId: string; sources: LogSource[] }>,
  ) => void;
  "logs:stream:unsubscribe": (payload: { subscriptionId: string }) => void;
  "terminal:open": (
    payload: { agentId: string; containerId: string; shell?: "sh" | "bash"; cols?: number; rows?: number },
    ack?: Ack<{ sessionId: string }>,
  ) => void;
  /** A JSON text (or object) `{type: "input", data} | {type: "resize", cols, rows} | {type: "exit"}`. */
  "terminal:frame": (frame: string | object) => void;
}

export interface ServerToClientEvents {
  hello: (payload: { userId: string }) => void;
  "containers:list": (payload: { agentId: string; items: ContainerListItem[] }) => void;
  /** One sampling round; `host` is the machine's own use when the agent can read it (null otherwise). */
  "containers:stats": (payload: { agentId: string; items: ContainerStats[]; host?: HostStats | null }) => void;
  "containers:unreachable": (payload: { agentId: string; message: string }) => void;
  "logs:batch": (payload: { subscriptionId: string; items: LogLine[]; dropped?: number }) => void;
  "logs:end": (payload: { subscriptionId: string; reason: string | null }) => void;
  /** Lines of a `logs:stream`, ordered by time within the batch; `skipped` lines were dropped
   *  just before these because the connection fell behind. */
  "logs:stream:batch": (payload: { subscriptionId: string; items: LiveLine[]; skipped?: number }) => void;
  "logs:stream:end": (payload: { subscriptionId: string; reason: string | null }) => void;
  "terminal:output": (payload: { sessionId: string; data: string }) => void;
  "terminal:exit": (payload: { sessionId: string; exitCode: number | null; reason: string | null }) => void;
}
