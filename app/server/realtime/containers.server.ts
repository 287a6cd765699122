// Live container list, stats and log tails over /ui. One feed per agent runs while anybody
// watches it: one Docker event stream and one stats subscription (the agent's shared sampler),
// whose batches go to a room; it stops when the last viewer leaves.
import { randomUUID } from "node:crypto";
import type { Agent } from "#agent/types";
import { LogsSubscribeSchema, ContainersSubscribeSchema } from "~/validation/containers";
import { agentFor } from "../agents/registry.server";
import { checkContainerRef, listContainersWithStats } from "../docker/containers.server";
import { ConflictError } from "../errors.server";
import { logger } from "../logger.server";
import { toLogLine, type LogLine } from "../logs/log-line";
import { singleton } from "../singleton.server";
import { answer, currentActor, errorMessage, parsePayload, sleep, type TypedUiSocket } from "./subscription.server";

const RETRY_MS = 2_000;
const LIST_DEBOUNCE_MS = 250;

interface Feed {
  viewers: Set<string>;
  controller: AbortController;
  unsubscribeStats: () => void;
}

const feeds = singleton("realtime:container-feeds", () => new Map<string, Feed>());

function room(agentId: string) {
  return `containers:${agentId}`;
}

function startFeed(socket: TypedUiSocket, agentId: string, agent: Agent): Feed {
  const to = () => socket.nsp.to(room(agentId));
  const controller = new AbortController();
  const { signal } = controller;
  let listTimer: NodeJS.Timeout | undefined;
  let unreachable = false;

  const pushList = async () => {
    const items = await listContainersWithStats(agent, { all: true });
    unreachable = false;
    to().emit("containers:list", { agentId, items });
  };
  const reportUnreachable = (error: unknown) => {
    if (signal.aborted) return;
    unreachable = true;
    to().emit("containers:unreachable", { agentId, message: errorMessage(error) });
  };
  const scheduleList = () => {
    clearTimeout(listTimer);
    listTimer = setTimeout(() => void pushList().catch(reportUnreachable), LIST_DEBOUNCE_MS);
  };

  void (async () => {
    // Events drive list updates; when the engine goes away we say so and retry until it is back.
    let first = true;
    while (!signal.aborted) {
      try {
        if (!first) await pushList();
        first = false;
        for await (const _event of agent.events(signal)) scheduleList();
        if (!signal.aborted) throw new Error("the engine closed its event stream");
      } catch (error) {
        reportUnreachable(error);
      }
      await sleep(RETRY_MS, signal);
    }
    clearTimeout(listTimer);
  })();

  const unsubscribeStats = agent.subscribeStats(
    (items) => {
      if (!unreachable) to().emit("containers:stats", { agentId, items });
    },
    (error) => logger.debug("stats sampler error", { agentId, error: error.message }),
  );
  return { viewers: new Set(), controller, unsubscribeStats };
}

function leave(socket: TypedUiSocket, agentId: string) {
  const feed = feeds.get(agentId);
  socket.leave(room(agentId));
  if (!feed) return;
  feed.viewers.delete(socket.id);
  if (feed.viewers.size === 0) {
    feed.controller.abort();
    feed.unsubscribeStats();
    feeds.delete(agentId);
  }
}

export function registerContainerHandlers(socket: TypedUiSocket): void {
  const watching = new Set<string>();
  const tails = new Map<string, AbortController>();

  socket.on("containers:subscribe", (payload, ack) =>
    answer(socket, "containers:subscribe", ack, async () => {
      const { agentId } = parsePayload(ContainersSubscribeSchema, payload);
      const actor = await currentActor(socket, "read:container");
      const { agent } = await agentFor(actor, agentId);
      if (!watching.has(agentId)) {
        watching.add(agentId);
        socket.join(room(agentId));
        let feed = feeds.get(agentId);
        if (!feed) feeds.set(agentId, (feed = startFeed(socket, agentId, agent)));
        feed.viewers.add(socket.id);
      }
      // The newcomer gets the current list at once; the room gets changes from then on.
      listContainersWithStats(agent, { all: true }).then(
        (items) => socket.emit("containers:list", { agentId, items }),
        (error) => socket.emit("containers:unreachable", { agentId, message: errorMessage(error) }),
      );
      return {};
    }),
  );

  socket.on("containers:unsubscribe", (payload) => {
    const agentId = ContainersSubscribeSchema.safeParse(payload).data?.agentId;
    if (agentId && watching.delete(agentId)) leave(socket, agentId);
  });

  socket.on("logs:subscribe", (payload, ack) =>
    answer(socket, "logs:subscribe", ack, async () => {
      const input = parsePayload(LogsSubscribeSchema, payload);
      const actor = await currentActor(socket, "read:logs");
      const { agent } = await agentFor(actor, input.agentId);
      const detail = await agent.inspectContainer(checkContainerRef(input.containerId));
      if (tails.size >= 8) throw new ConflictError("Too many log tails are open on this connection.");
      const subscriptionId = randomUUID();
      const controller = new AbortController();
      tails.set(subscriptionId, controller);
      void followLogs(socket, agent, subscriptionId, { agentId: input.agentId, containerId: detail.id, containerName: detail.name }, input.tail, controller.signal).finally(
        () => tails.delete(subscriptionId),
      );
      return { subscriptionId };
    }),
  );

  socket.on("logs:unsubscribe", (payload) => {
    const id = typeof (payload as { subscriptionId?: unknown })?.subscriptionId === "string" ? (payload as { subscriptionId: string }).subscriptionId : "";
    tails.get(id)?.abort();
  });

  socket.on("disconnect", () => {
    for (const agentId of watching) leave(socket, agentId);
    watching.clear();
    for (const controller of tails.values()) controller.abort();
  });
}

const FLUSH_MS = 100;
const MAX_PENDING = 5_000;

/** Follows one container's output, sending batches every 100 ms; drops the oldest for a slow consumer. */
async function followLogs(
  socket: TypedUiSocket,
  agent: Agent,
  subscriptionId: string,
  source: { agentId: string; containerId: string; containerName: string },
  tail: number,
  signal: AbortSignal,
): Promise<void> {
  let pending: LogLine[] = [];
  let dropped = 0;
  const flush = () => {
    if (pending.length === 0 && dropped === 0) return;
    socket.emit("logs:batch", { subscriptionId, items: pending, ...(dropped ? { dropped } : {}) });
    pending = [];
    dropped = 0;
  };
  const timer = setInterval(flush, FLUSH_MS);
  let reason: string | null = null;
  try {
    for await (const batch of agent.logs(source.containerId, { tail, follow: true, timestamps: true }, signal)) {
      for (const entry of batch) pending.push(toLogLine(entry, source));
      if (pending.length > MAX_PENDING) {
        dropped += pending.length - MAX_PENDING;
        pending = pending.slice(-MAX_PENDING);
      }
    }
  } catch (error) {
    if (!signal.aborted) reason = errorMessage(error);
  } finally {
    clearInterval(timer);
    if (!signal.aborted) {
      flush();
      socket.emit("logs:end", { subscriptionId, reason });
    }
  }
}
