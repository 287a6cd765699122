// Live container list and stats over /ui (log tails: logs-live.server.ts). One feed per agent runs while anybody
// watches it: one Docker event stream and one stats stream (the agent's shared sampler), whose
// batches go to a room; it stops when the last viewer leaves.
import type { Agent } from "#agent/types";
import { ContainersSubscribeSchema } from "~/validation/containers";
import { agentFor } from "../agents/registry.server";
import { listContainersWithStats } from "../docker/containers.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";
import { answer, currentActor, errorMessage, parsePayload, sleep, type TypedUiSocket } from "./subscription.server";

const RETRY_MS = 2_000;
const LIST_DEBOUNCE_MS = 250;

interface Feed {
  viewers: Set<string>;
  /** Ends the event stream and the stats stream. */
  controller: AbortController;
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

  void (async () => {
    // The stream reports an outage and carries on; should it end anyway (a remote agent's
    // connection dropped), open it again until the last viewer leaves.
    while (!signal.aborted) {
      try {
        for await (const update of agent.subscribeStats(signal)) {
          if ("error" in update) logger.debug("stats sampler error", { agentId, error: update.error.message });
          else if (!unreachable) to().emit("containers:stats", { agentId, items: update.stats, host: update.host ?? null });
        }
      } catch (error) {
        if (!signal.aborted) logger.debug("stats stream ended", { agentId, error: errorMessage(error) });
      }
      await sleep(RETRY_MS, signal);
    }
  })();
  return { viewers: new Set(), controller };
}

function leave(socket: TypedUiSocket, agentId: string) {
  const feed = feeds.get(agentId);
  socket.leave(room(agentId));
  if (!feed) return;
  feed.viewers.delete(socket.id);
  if (feed.viewers.size === 0) {
    feed.controller.abort();
    feeds.delete(agentId);
  }
}

export function registerContainerHandlers(socket: TypedUiSocket): void {
  const watching = new Set<string>();

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

  socket.on("disconnect", () => {
    for (const agentId of watching) leave(socket, agentId);
    watching.clear();
  });
}
