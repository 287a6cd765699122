// One Docker log follow per container, however many viewers watch it (decision 031). The first
// viewer starts `logs(id, {follow, since: now})`; every Docker batch becomes LogLines once (level
// detection included) and the same array goes to every listener; the follow stops when the last
// listener leaves. The hub never buffers: each listener (a socket's sink) bounds its own queue
// and drops for a slow consumer, so one slow browser cannot slow the others or the Docker read.
import type { Agent } from "#agent/types";
import { singleton } from "../singleton.server";
import { toLogLine, type ContainerLogSource, type LogLine } from "./log-line";

export interface LiveListener {
  /** A batch of one container's lines, in the engine's order. Shared: do not mutate. */
  lines(lines: readonly LogLine[]): void;
  /** The follow ended on its own (container stopped, engine gone); `reason` is null for a clean end. */
  end(reason: string | null): void;
}

interface Follow {
  source: ContainerLogSource;
  listeners: Set<LiveListener>;
  controller: AbortController;
}

interface HubState {
  follows: Map<string, Follow>;
  /** Docker follows started since the process began (for tests and the benchmark). */
  started: number;
  linesIn: number;
}

const hub = singleton<HubState>("logs:live-hub", () => ({ follows: new Map(), started: 0, linesIn: 0 }));

function keyOf(source: Pick<ContainerLogSource, "agentId" | "containerId">): string {
  return `${source.agentId}:${source.containerId}`;
}

/**
 * Adds `listener` to the live follow of `source.containerId` (starting it if needed) and returns
 * the function that removes it. Lines printed from roughly this moment on are delivered; older
 * lines (a tail, a resume point) are the caller's to fetch.
 */
export function subscribeLive(agent: Agent, source: ContainerLogSource, listener: LiveListener): () => void {
  const key = keyOf(source);
  let follow = hub.follows.get(key);
  if (!follow) {
    follow = { source, listeners: new Set(), controller: new AbortController() };
    hub.follows.set(key, follow);
    hub.started++;
    void run(agent, key, follow);
  }
  const mine = follow;
  mine.listeners.add(listener);
  return () => {
    if (!mine.listeners.delete(listener)) return;
    if (mine.listeners.size === 0) stop(key, mine);
  };
}

function stop(key: string, follow: Follow): void {
  follow.controller.abort();
  if (hub.follows.get(key) === follow) hub.follows.delete(key);
}

async function run(agent: Agent, key: string, follow: Follow): Promise<void> {
  const { signal } = follow.controller;
  let reason: string | null = null;
  try {
    // `since: now` (not a tail): history is the caller's; two viewers must see the same live lines.
    for await (const batch of agent.logs(follow.source.containerId, { follow: true, timestamps: true, since: new Date(), tail: "all" }, signal)) {
      if (signal.aborted) return;
      const lines = batch.map((entry) => toLogLine(entry, follow.source));
      hub.linesIn += lines.length;
      for (const listener of follow.listeners) listener.lines(lines);
    }
  } catch (error) {
    if (signal.aborted) return;
    reason = error instanceof Error ? error.message : String(error);
  } finally {
    if (!signal.aborted) {
      if (hub.follows.get(key) === follow) hub.follows.delete(key);
      for (const listener of follow.listeners) listener.end(reason);
      follow.listeners.clear();
    }
  }
}

export interface HubStats {
  /** Docker follows running now. */
  follows: number;
  /** Listeners across all follows. */
  listeners: number;
  /** Follows started since the process began. */
  started: number;
  linesIn: number;
  /** Listener count per `agentId:containerId`. */
  byContainer: Record<string, number>;
}

export function hubStats(): HubStats {
  const byContainer: Record<string, number> = {};
  let listeners = 0;
  for (const [key, follow] of hub.follows) {
    byContainer[key] = follow.listeners.size;
    listeners += follow.listeners.size;
  }
  return { follows: hub.follows.size, listeners, started: hub.started, linesIn: hub.linesIn, byContainer };
}
