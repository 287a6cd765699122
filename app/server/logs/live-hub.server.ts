// One Docker log follow per container, shared by everyone who needs it (decision 031): live
// viewers (a socket's sink each) and the persistence collector (a "keeper" per organization that
// stores the container's lines). The first of them starts `logs(id, {follow})`; every Docker batch
// becomes LogLines once (level detection included) and the same array goes to every listener; the
// follow stops when the last viewer *and* the last keeper have left.
// Viewers never slow the follow: the hub does not buffer for them, each sink bounds its own queue
// and drops for a slow consumer. Keepers do: a keeper's `lines()` is awaited before the next
// Docker batch is read, so a full ingestion buffer (the database is down) pauses the Docker read
// itself and no line is lost; viewers of that container then wait too (decision 031).
import type { Agent } from "#agent/types";
import { singleton } from "../singleton.server";
import { toLogLine, type ContainerLogSource, type LogLine } from "./log-line";

export interface LiveListener {
  /** A batch of one container's lines, in the engine's order. Shared: do not mutate. */
  lines(lines: readonly LogLine[]): void;
  /** The follow ended on its own (container stopped, engine gone); `reason` is null for a clean end. */
  end(reason: string | null): void;
}

/** A listener that must see every line from `since` on and may hold the follow back. */
export interface KeepListener {
  /** Where the follow has to start for this keeper (its resume point). */
  since: Date;
  /** Awaited before the follow reads on: back-pressure reaches Docker. Shared: do not mutate. */
  lines(lines: readonly LogLine[]): Promise<void>;
  /** The follow starts over from an earlier point (another keeper needs it): lines come again. */
  rewound?(): void;
  end(reason: string | null): void;
}

interface Viewer {
  listener: LiveListener;
  /** ISO time the viewer joined: older lines (a keeper's catch-up) are its own history to read. */
  from: string;
}

interface Follow {
  key: string;
  agent: Agent;
  source: ContainerLogSource;
  viewers: Set<Viewer>;
  keepers: Set<KeepListener>;
  /** The running Docker read; replaced when a keeper needs an earlier start. */
  controller: AbortController;
  since: Date;
  /** Newest line time handed to viewers. */
  viewerHigh: string | null;
  /** Set by a restart: viewers already have everything up to this time. */
  replayedUpTo: string | null;
}

interface HubState {
  follows: Map<string, Follow>;
  /** Docker follows started since the process began (for tests and the benchmark). */
  started: number;
  /** Docker follows open right now (started and not yet finished reading). */
  open: number;
  linesIn: number;
}

const hub = singleton<HubState>("logs:live-hub", () => ({ follows: new Map(), started: 0, open: 0, linesIn: 0 }));

function keyOf(source: Pick<ContainerLogSource, "agentId" | "containerId">): string {
  return `${source.agentId}:${source.containerId}`;
}

function followOf(agent: Agent, source: ContainerLogSource, since: Date): { follow: Follow; fresh: boolean } {
  const key = keyOf(source);
  const existing = hub.follows.get(key);
  if (existing) return { follow: existing, fresh: false };
  const follow: Follow = { key, agent, source, viewers: new Set(), keepers: new Set(), controller: new AbortController(), since, viewerHigh: null, replayedUpTo: null };
  hub.follows.set(key, follow);
  return { follow, fresh: true };
}

function start(follow: Follow): void {
  hub.started++;
  void run(follow, follow.controller);
}

/**
 * Adds `listener` to the live follow of `source.containerId` (starting it if needed) and returns
 * the function that removes it. Lines printed from roughly this moment on are delivered; older
 * lines (a tail, a resume point) are the caller's to fetch.
 */
export function subscribeLive(agent: Agent, source: ContainerLogSource, listener: LiveListener): () => void {
  const now = new Date();
  const { follow, fresh } = followOf(agent, source, now);
  const viewer: Viewer = { listener, from: now.toISOString() };
  follow.viewers.add(viewer);
  if (fresh) start(follow);
  return () => {
    if (!follow.viewers.delete(viewer)) return;
    stopIfUnused(follow);
  };
}

/**
 * Adds a keeper (persistence) to the follow of `source.containerId`: it receives every line from
 * `keeper.since` on (and possibly some older ones it must skip itself) and the follow waits for
 * each `lines()` call. If the follow is already running from a later point (a viewer started it),
 * it is restarted from `keeper.since`; its viewers get only lines newer than what they have.
 */
export function keepFollowing(agent: Agent, source: ContainerLogSource, keeper: KeepListener): () => void {
  const { follow, fresh } = followOf(agent, source, keeper.since);
  follow.keepers.add(keeper);
  if (fresh) start(follow);
  else if (keeper.since < follow.since) {
    follow.controller.abort();
    follow.controller = new AbortController();
    follow.since = keeper.since;
    follow.replayedUpTo = follow.viewerHigh;
    for (const other of follow.keepers) if (other !== keeper) other.rewound?.();
    start(follow);
  }
  return () => {
    if (!follow.keepers.delete(keeper)) return;
    stopIfUnused(follow);
  };
}

function stopIfUnused(follow: Follow): void {
  if (follow.viewers.size > 0 || follow.keepers.size > 0) return;
  follow.controller.abort();
  if (hub.follows.get(follow.key) === follow) hub.follows.delete(follow.key);
}

async function run(follow: Follow, controller: AbortController): Promise<void> {
  const { signal } = controller;
  let reason: string | null = null;
  hub.open++;
  try {
    // A viewer-only follow starts at `now` (not a tail): history is the caller's; two viewers must
    // see the same live lines. A keeper's follow starts at its resume point.
    for await (const batch of follow.agent.logs(follow.source.containerId, { follow: true, timestamps: true, since: follow.since.toISOString(), tail: "all" }, signal)) {
      if (signal.aborted) return;
      const lines = batch.map((entry) => toLogLine(entry, follow.source));
      hub.linesIn += lines.length;
      if (follow.keepers.size === 0 && follow.replayedUpTo === null) {
        // Viewers only (the usual case without persistence): every line is live for every viewer.
        const newest = lines.length > 0 ? lines[lines.length - 1]!.time : null;
        if (newest !== null && (follow.viewerHigh === null || newest > follow.viewerHigh)) follow.viewerHigh = newest;
        for (const viewer of follow.viewers) viewer.listener.lines(lines);
      } else if (await feedKeepers(follow, lines, signal)) return;
    }
  } catch (error) {
    if (signal.aborted) return;
    reason = error instanceof Error ? error.message : String(error);
  } finally {
    hub.open--;
    if (!signal.aborted && follow.controller === controller) {
      if (hub.follows.get(follow.key) === follow) hub.follows.delete(follow.key);
      const viewers = [...follow.viewers];
      const keepers = [...follow.keepers];
      follow.viewers.clear();
      follow.keepers.clear();
      for (const viewer of viewers) viewer.listener.end(reason);
      for (const keeper of keepers) keeper.end(reason);
    }
  }
}

/** Viewers first (never waited for), then each keeper in turn (awaited); true: stop reading. */
async function feedKeepers(follow: Follow, lines: LogLine[], signal: AbortSignal): Promise<boolean> {
  if (follow.viewers.size > 0) deliverToViewers(follow, lines);
  for (const keeper of [...follow.keepers]) {
    try {
      await keeper.lines(lines);
    } catch (error) {
      // A keeper that cannot take lines leaves; the others (and the viewers) go on.
      follow.keepers.delete(keeper);
      keeper.end(error instanceof Error ? error.message : String(error));
    }
    if (signal.aborted) return true;
  }
  return follow.keepers.size === 0 && follow.viewers.size === 0;
}

function deliverToViewers(follow: Follow, lines: LogLine[]): void {
  const newest = lines.at(-1)?.time ?? null;
  if (newest !== null && (follow.viewerHigh === null || newest > follow.viewerHigh)) follow.viewerHigh = newest;
  const replayed = follow.replayedUpTo;
  const first = lines[0]?.time ?? null;
  for (const viewer of follow.viewers) {
    // A batch that is entirely new goes out as the shared array (the usual case). Otherwise lines
    // from before the viewer joined (a keeper catching up) or, after a restart, lines viewers
    // already had are left out.
    if (first === null || (first >= viewer.from && (replayed === null || first > replayed))) {
      viewer.listener.lines(lines);
      continue;
    }
    const fresh = lines.filter((l) => l.time === null || (l.time >= viewer.from && (replayed === null || l.time > replayed)));
    if (fresh.length > 0) viewer.listener.lines(fresh);
  }
}

export interface HubStats {
  /** Containers followed now. */
  follows: number;
  /** Docker log follows open now (equals `follows` except briefly during a restart). */
  open: number;
  /** Viewers across all follows. */
  listeners: number;
  /** Keepers (persistence) across all follows. */
  keepers: number;
  /** Follows started since the process began. */
  started: number;
  linesIn: number;
  /** Viewer count per `agentId:containerId`. */
  byContainer: Record<string, number>;
  /** Keeper count per `agentId:containerId`. */
  keptBy: Record<string, number>;
}

export function hubStats(): HubStats {
  const byContainer: Record<string, number> = {};
  const keptBy: Record<string, number> = {};
  let listeners = 0;
  let keepers = 0;
  for (const [key, follow] of hub.follows) {
    if (follow.viewers.size > 0) byContainer[key] = follow.viewers.size;
    if (follow.keepers.size > 0) keptBy[key] = follow.keepers.size;
    listeners += follow.viewers.size;
    keepers += follow.keepers.size;
  }
  return { follows: hub.follows.size, open: hub.open, listeners, keepers, started: hub.started, linesIn: hub.linesIn, byContainer, keptBy };
}
