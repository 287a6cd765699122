// Live log subscriptions over /ui: `logs:subscribe` (one container, the container page) and
// `logs:stream` (any set of containers, a stack or all of them, the Logs page). Both ride the
// live hub (one Docker follow per container however many viewers) and this connection's sink
// (batches of ≤ 500 lines or 100 ms, bounded queues, `skipped` markers for a slow consumer).
// Each subscription re-checks `read:logs` against the session and resolves containers through
// the organization's agent, so anything it may not see is a 404.
import { randomUUID } from "node:crypto";
import type { Agent } from "#agent/types";
import type { ProxyLogSource as AgentProxyLogs } from "#agent/nginx/log-source";
import { LogsStreamSchema, LogsSubscribeSchema } from "~/validation/containers";
import { agentFor } from "../agents/registry.server";
import { checkContainerRef } from "../docker/containers.server";
import { ConflictError, NotFoundError } from "../errors.server";
import { subscribeLive } from "../logs/live-hub.server";
import { LiveSink } from "../logs/live-sink.server";
import { queryLogPage } from "../logs/log-query.server";
import { toLogLine, type ContainerLogSource, type LiveLine, type LogLine, type ProxyLogSource } from "../logs/log-line";
import { resolveProxySources, subscribeProxyLive } from "../logs/proxy-log.server";
import { answer, currentActor, errorMessage, parsePayload, type TypedUiSocket } from "./subscription.server";

const MAX_SUBSCRIPTIONS = 8;
export const MAX_STREAM_SOURCES = 50;
/** Lines of history a resuming viewer gets per container at most (like the tail limit). */
const MAX_CATCH_UP = 5_000;

interface Subscription {
  kind: "tail" | "stream";
  stops: (() => void)[];
}

interface EngineConnection {
  transport: { writable: boolean };
  writeBuffer: unknown[];
  on(event: "drain", listener: () => void): void;
}

export function registerLogHandlers(socket: TypedUiSocket): void {
  const subscriptions = new Map<string, Subscription>();
  const conn = socket.conn as unknown as EngineConnection;
  const sink = new LiveSink({
    // One batch on the wire and one waiting is enough; beyond that the client is not keeping up.
    congested: () => !conn.transport.writable && conn.writeBuffer.length > 0,
    send(subscriptionId, items, skipped) {
      const kind = subscriptions.get(subscriptionId)?.kind;
      // A tail subscription only ever holds its one container's lines.
      if (kind === "tail") socket.emit("logs:batch", { subscriptionId, items: items as LogLine[], ...(skipped ? { dropped: skipped } : {}) });
      else if (kind === "stream") socket.emit("logs:stream:batch", { subscriptionId, items, ...(skipped ? { skipped } : {}) });
    },
  });
  conn.on("drain", () => sink.drained());

  const end = (subscriptionId: string, notify: { reason: string | null } | null) => {
    const subscription = subscriptions.get(subscriptionId);
    if (!subscription) return;
    for (const stop of subscription.stops) stop();
    if (notify) {
      // What is queued still goes out (bounded by the queue), then the end marker.
      sink.flush(subscriptionId, { force: true });
      if (subscription.kind === "tail") socket.emit("logs:end", { subscriptionId, reason: notify.reason });
      else socket.emit("logs:stream:end", { subscriptionId, reason: notify.reason });
    }
    subscriptions.delete(subscriptionId);
    sink.close(subscriptionId);
  };

  const open = (kind: Subscription["kind"]): string => {
    if (subscriptions.size >= MAX_SUBSCRIPTIONS) throw new ConflictError("Too many log tails are open on this connection.");
    const subscriptionId = randomUUID();
    subscriptions.set(subscriptionId, { kind, stops: [] });
    sink.open(subscriptionId, { merge: kind === "stream" });
    return subscriptionId;
  };

  socket.on("logs:subscribe", (payload, ack) =>
    answer(socket, "logs:subscribe", ack, async () => {
      const input = parsePayload(LogsSubscribeSchema, payload);
      const actor = await currentActor(socket, "read:logs");
      const { agent } = await agentFor(actor, input.agentId);
      const detail = await agent.inspectContainer(checkContainerRef(input.containerId));
      const subscriptionId = open("tail");
      const source = { agentId: input.agentId, containerId: detail.id, containerName: detail.name };
      attach(agent, [source], subscriptionId, { tail: input.tail }, (reason) => end(subscriptionId, { reason }));
      return { subscriptionId };
    }),
  );

  socket.on("logs:stream", (payload, ack) =>
    answer(socket, "logs:stream", ack, async () => {
      const input = parsePayload(LogsStreamSchema, payload);
      const actor = await currentActor(socket, "read:logs");
      // The proxy host ids first: another organization's host is a 404 whatever state the agent is in.
      const proxies = input.proxyHostIds?.length ? await resolveProxySources(actor, input.proxyHostIds) : [];
      // A host served by another of the organization's agents is not followed through this one.
      if (proxies.some((p) => p.agentId !== input.agentId)) throw new NotFoundError("Proxy host not found.");
      const { agent, proxyLogs } = await agentFor(actor, input.agentId);
      const wantsContainers = Boolean(input.containerIds?.length || input.stack || input.all);
      const sources = wantsContainers ? await resolveSources(agent, input, proxies.length > 0) : [];
      const subscriptionId = open("stream");
      const since = input.since ? new Date(input.since) : null;
      // A stream outlives any one container's follow; it ends when the viewer unsubscribes, or
      // once every container has ended (the browser may subscribe again) and it has no proxy host
      // (proxy logs do not end).
      let live = sources.length;
      attach(agent, sources, subscriptionId, since ? { since } : {}, () => {
        if (--live === 0 && proxies.length === 0) end(subscriptionId, { reason: null });
      });
      await attachProxies(actor.orgId, proxyLogs, proxies, subscriptionId, since);
      // After the acknowledgement, so the browser knows the id the end belongs to.
      if (sources.length === 0 && proxies.length === 0) setImmediate(() => end(subscriptionId, { reason: null }));
      return { subscriptionId, sources: [...sources, ...proxies] };
    }),
  );

  const unsubscribe = (payload: unknown) => {
    const id = (payload as { subscriptionId?: unknown } | null)?.subscriptionId;
    if (typeof id === "string") end(id, null);
  };
  socket.on("logs:unsubscribe", unsubscribe);
  socket.on("logs:stream:unsubscribe", unsubscribe);

  socket.on("disconnect", () => {
    for (const id of [...subscriptions.keys()]) end(id, null);
    sink.dispose();
  });

  /**
   * Proxy hosts: joins each host's live lines first (holding them), reads the stored history since
   * the resume point, sends it, then the held lines the history does not have.
   */
  async function attachProxies(orgId: string, logs: AgentProxyLogs | null, proxies: ProxyLogSource[], subscriptionId: string, since: Date | null) {
    const subscription = subscriptions.get(subscriptionId);
    if (!subscription || proxies.length === 0) return;
    const held: LiveLine[][] = proxies.map(() => []);
    const holding = proxies.map(() => Boolean(since));
    for (const [i, source] of proxies.entries()) {
      const stop = await subscribeProxyLive(
          orgId,
          source,
          {
            lines(lines) {
              if (!holding[i]) return sink.push(subscriptionId, lines);
              held[i]!.push(...lines);
              if (held[i]!.length > MAX_CATCH_UP) held[i]!.splice(0, held[i]!.length - MAX_CATCH_UP);
            },
          },
          { logs },
        );
      // The viewer may have left while the tailer started.
      if (!subscriptions.has(subscriptionId)) return stop();
      subscription.stops.push(stop);
    }
    if (!since) return;
    void Promise.all(proxies.map((source) => readProxyHistory(orgId, source, since).catch(() => [] as LiveLine[]))).then((pasts) => {
      if (!subscriptions.has(subscriptionId)) return;
      sink.push(subscriptionId, pasts.flat().sort(byTime));
      pasts.forEach((past, i) => {
        const last = past.at(-1)?.time ?? null;
        const atLast = new Set(past.filter((l) => l.time === last).map((l) => `${l.stream}\u0000${l.message}`));
        const lines = held[i]!;
        held[i] = [];
        holding[i] = false;
        sink.push(subscriptionId, last ? lines.filter((l) => l.time === null || l.time > last || (l.time === last && !atLast.has(`${l.stream}\u0000${l.message}`))) : lines);
      });
    });
  }

  /**
   * Joins the live follow of each source first (holding its lines), then reads the history the
   * viewer asked for (a tail, or everything since a resume point), sends all of it merged by
   * time, then each source's held lines newer than its history, then lets live lines through:
   * no gap and no repeats at the seam.
   */
  function attach(agent: Agent, sources: ContainerLogSource[], subscriptionId: string, history: { tail?: number; since?: Date }, onEnd: (reason: string | null) => void) {
    const subscription = subscriptions.get(subscriptionId);
    if (!subscription) return;
    const wantsHistory = Boolean(history.tail || history.since);
    const joined = sources.map((source) => {
      const state = { held: wantsHistory ? ([] as LogLine[]) : null, ended: null as { reason: string | null } | null, finished: false };
      const finish = (reason: string | null) => {
        if (state.finished) return;
        state.finished = true;
        onEnd(reason);
      };
      subscription.stops.push(
        subscribeLive(agent, source, {
          lines(lines) {
            if (!state.held) return sink.push(subscriptionId, lines);
            state.held.push(...lines);
            if (state.held.length > MAX_CATCH_UP) state.held.splice(0, state.held.length - MAX_CATCH_UP);
          },
          end(reason) {
            if (state.held) state.ended = { reason };
            else finish(reason);
          },
        }),
      );
      return { source, state, finish };
    });
    if (!wantsHistory) return;
    void Promise.all(
      joined.map(({ source, finish }) =>
        readHistory(agent, source, history).catch((error: unknown) => {
          finish(errorMessage(error));
          return [] as LogLine[];
        }),
      ),
    ).then((pasts) => {
      if (!subscriptions.has(subscriptionId)) return;
      sink.push(subscriptionId, pasts.length > 1 ? pasts.flat().sort(byTime) : (pasts[0] ?? []));
      joined.forEach(({ state, finish }, i) => {
        const last = pasts[i]!.at(-1)?.time ?? null;
        const held = state.held!;
        state.held = null;
        sink.push(subscriptionId, last ? held.filter((l) => l.time === null || l.time > last) : held);
        if (state.ended) finish(state.ended.reason);
      });
    });
  }
}

/** Stable merge order for lines of several sources (ISO times of one length sort as text). */
function byTime(a: LiveLine, b: LiveLine): number {
  return a.time === b.time || a.time === null || b.time === null ? 0 : a.time < b.time ? -1 : 1;
}

async function readHistory(agent: Agent, source: ContainerLogSource, history: { tail?: number; since?: Date }): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  const until = new Date().toISOString();
  const options = history.since ? { since: history.since.toISOString(), until, tail: MAX_CATCH_UP } : { tail: history.tail ?? 0, until };
  const from = history.since?.toISOString() ?? null;
  for await (const batch of agent.logs(source.containerId, { ...options, follow: false, timestamps: true })) {
    for (const entry of batch) {
      const line = toLogLine(entry, source);
      // Docker's `since` is inclusive and second-grained for some engines; the viewer already has
      // what is older than its resume point (equal times are kept: the browser drops repeats).
      if (from && line.time !== null && line.time < from) continue;
      lines.push(line);
    }
  }
  return lines;
}

/** A proxy host's stored lines since `since` (at most MAX_CATCH_UP, oldest first). */
async function readProxyHistory(orgId: string, source: ProxyLogSource, since: Date): Promise<LiveLine[]> {
  const page = await queryLogPage(orgId, { proxyHostId: source.proxyHostId, from: since }, { limit: MAX_CATCH_UP });
  return page.items.reverse().map((l) => ({
    time: new Date(l.time).toISOString(),
    source,
    stream: l.stream === "error" ? "error" : "access",
    level: l.level,
    message: l.message,
  }));
}

type StreamInput = { containerIds?: string[]; stack?: string; all?: boolean; agentId: string };

async function resolveSources(agent: Agent, input: StreamInput, withProxies = false): Promise<ContainerLogSource[]> {
  if (input.containerIds?.length) {
    const ids = [...new Set(input.containerIds)];
    const details = await Promise.all(ids.map((id) => agent.inspectContainer(checkContainerRef(id))));
    return uniqueById(details.map((d) => ({ agentId: input.agentId, containerId: d.id, containerName: d.name })));
  }
  const running = await agent.listContainers({ all: false });
  const chosen = input.all ? running : running.filter((c) => c.stack === input.stack);
  if (!input.all && chosen.length === 0 && !withProxies) throw new NotFoundError("No running containers in that stack.");
  if (chosen.length > MAX_STREAM_SOURCES) throw new ConflictError(`At most ${MAX_STREAM_SOURCES} containers can be followed at once; choose fewer.`);
  return chosen.map((c) => ({ agentId: input.agentId, containerId: c.id, containerName: c.name }));
}

function uniqueById(sources: ContainerLogSource[]): ContainerLogSource[] {
  return [...new Map(sources.map((s) => [s.containerId, s])).values()];
}
