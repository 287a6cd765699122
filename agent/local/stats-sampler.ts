// One stats sampler per agent (see docs/decisions/010-agent-stats-sampling.md).
//
// While at least one subscriber exists it takes, every `intervalMs`, one
// sample of every running container and hands the whole batch to every
// subscriber: ten viewers cost the engine what one costs. With no subscriber
// nothing runs. CPU % comes from the delta to the previous sample.
//
// The set of running containers is listed once and then kept by the engine's
// event stream (start/die/destroy mark it stale), so a quiet host costs the
// engine no request at all per round when samples come from cgroup files.
import { setMaxListeners } from "node:events";
import { DockerUnreachableError } from "../errors";
import type { ContainerStats } from "../types";
import type { HostStats } from "../stats-history";
import { HostCgroupStats } from "./cgroup-stats";
import type { DockerClient } from "./docker-client";
import { HostStatsReader } from "./host-stats";
import type { RawStats } from "./raw-types";
import { cpuCounterOf, toContainerStats, type CpuCounter } from "./stats-math";
import { iterateChunks } from "./stream-iter";

export interface StatsSamplerOptions {
  intervalMs?: number;
  /** Concurrent engine requests per round. */
  concurrency?: number;
  /**
   * `auto` (default): read a container's cgroup files directly when the agent
   * runs on the engine's host and sees the container's processes, else ask the
   * engine. `engine`: always ask the engine (one-shot stats requests).
   */
  source?: "auto" | "engine";
}

/** A round's containers and, when the agent runs on the engine's host, the machine's own use. */
export type StatsListener = (batch: ContainerStats[], host: HostStats | null) => void;
export type Unsubscribe = () => void;

interface Subscriber {
  listener: StatsListener;
  onError?: (error: Error) => void;
}

const COUNTER_TTL_MS = 10 * 60_000;
/** Re-list even without events now and then, in case one was missed. */
const RELIST_MS = 60_000;

export class StatsSampler {
  readonly intervalMs: number;
  private readonly concurrency: number;
  private readonly subscribers = new Set<Subscriber>();
  private readonly counters = new Map<string, CpuCounter & { seenAt: number }>();
  private latest = new Map<string, ContainerStats>();
  private latestAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<ContainerStats[]> | null = null;
  private abort: AbortController | null = null;
  private failing = false;
  private readonly host: HostCgroupStats | null;
  private readonly hostReader: HostStatsReader | null;
  private latestHost: HostStats | null = null;
  private runningIds: string[] | null = null;
  private listedAt = 0;
  /** Bumped by every container start/die/destroy event. */
  private generation = 0;
  private eventsLive = false;
  private eventsConnecting = false;

  constructor(
    private readonly client: DockerClient,
    options: StatsSamplerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.concurrency = options.concurrency ?? 128;
    const local = client.address.kind === "unix" || /^(127\.|::1$|localhost$)/.test(client.address.host);
    this.host = (options.source ?? "auto") === "auto" && local ? new HostCgroupStats(client) : null;
    this.hostReader = local ? new HostStatsReader() : null;
  }

  get running(): boolean {
    return this.subscribers.size > 0;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  subscribe(listener: StatsListener, onError?: (error: Error) => void): Unsubscribe {
    const subscriber: Subscriber = { listener, onError };
    this.subscribers.add(subscriber);
    if (this.subscribers.size === 1) this.startLoop();
    else if (this.latestAt > 0) {
      // A late joiner sees the last batch now instead of waiting a whole interval.
      queueMicrotask(() => this.subscribers.has(subscriber) && safeCall(() => listener([...this.latest.values()], this.latestHost)));
    }
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.stopLoop();
    };
  }

  /**
   * Fresh stats for the given running containers (all running ones when
   * omitted): from the live loop's last round when it is recent, otherwise
   * sampled now.
   */
  async fresh(ids?: string[]): Promise<ContainerStats[]> {
    if (this.running && Date.now() - this.latestAt <= this.intervalMs * 1.5) {
      if (!ids) return [...this.latest.values()];
      const missing = ids.filter((id) => !this.latest.has(id));
      const extra = missing.length > 0 ? await this.sample(missing) : [];
      return [...ids.flatMap((id) => this.latest.get(id) ?? []), ...extra];
    }
    if (!ids && this.round) return this.round;
    return ids ? this.sample(ids) : this.sampleAllRunning();
  }

  /** Stops the loop and forgets every subscriber. */
  close(): void {
    this.subscribers.clear();
    this.stopLoop();
  }

  private startLoop(): void {
    this.failing = false;
    const tick = async () => {
      const startedAt = Date.now();
      if (!this.eventsLive && !this.eventsConnecting) void this.watchEvents(this.abort!.signal);
      try {
        const batch = await this.sampleAllRunning();
        if (!this.running) return;
        if (this.failing) this.failing = false;
        const host = this.latestHost;
        for (const subscriber of [...this.subscribers]) safeCall(() => subscriber.listener(batch, host));
      } catch (error) {
        if (!this.running) return;
        // Report the start of an outage once, not every interval; keep trying.
        if (!this.failing) {
          this.failing = true;
          for (const subscriber of [...this.subscribers]) safeCall(() => subscriber.onError?.(error as Error));
        }
      }
      if (this.running) this.timer = setTimeout(tick, Math.max(0, this.intervalMs - (Date.now() - startedAt)));
    };
    this.abort = new AbortController();
    setMaxListeners(0, this.abort.signal); // one listener per in-flight request
    this.timer = setTimeout(tick, 0);
  }

  private stopLoop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    this.abort = null;
    this.runningIds = null;
    this.latest = new Map();
    this.latestHost = null;
    this.latestAt = 0;
  }

  private sampleAllRunning(): Promise<ContainerStats[]> {
    if (this.round) return this.round;
    const round = (async () => {
      const batch = await this.sample(await this.currentRunningIds(), this.abort?.signal);
      this.latest = new Map(batch.map((s) => [s.id, s]));
      this.latestHost = this.hostReader?.read() ?? null;
      this.latestAt = Date.now();
      return batch;
    })();
    this.round = round;
    return round.finally(() => {
      if (this.round === round) this.round = null;
    });
  }

  private async currentRunningIds(): Promise<string[]> {
    if (this.eventsLive && this.runningIds && Date.now() - this.listedAt < RELIST_MS) return this.runningIds;
    const generation = this.generation;
    const ids = (await this.client.listContainers(false)).map((c) => c.Id);
    this.host?.retain(new Set(ids));
    // An event during the request may have made this answer stale already.
    if (generation === this.generation) {
      this.runningIds = ids;
      this.listedAt = Date.now();
    }
    return ids;
  }

  private async watchEvents(signal: AbortSignal): Promise<void> {
    this.eventsConnecting = true;
    try {
      const stream = await this.client.events({ type: ["container"], event: ["start", "die", "destroy"] }, signal);
      this.eventsLive = true;
      this.generation++;
      this.runningIds = null; // list again now that no change can be missed
      for await (const chunk of iterateChunks(stream, signal, (error) => error as Error)) {
        if (chunk.length > 0) {
          this.generation++;
          this.runningIds = null;
        }
      }
    } catch {
      // The engine went away; rounds list containers until the next tick reconnects.
    } finally {
      this.eventsConnecting = false;
      this.eventsLive = false;
    }
  }

  private async sample(ids: string[], signal?: AbortSignal): Promise<ContainerStats[]> {
    const now = Date.now();
    const results = await mapConcurrent(ids, this.concurrency, async (id) => {
      try {
        const direct = this.host ? await this.host.read(id) : null;
        return { id, raw: direct ?? (await this.client.statsOnce(id, signal)) };
      } catch (error) {
        // Vanished between list and sample, or stopped: not part of this round.
        if (error instanceof DockerUnreachableError) throw error;
        return null;
      }
    });
    const batch: ContainerStats[] = [];
    for (const result of results) {
      if (!result || !isLiveSample(result.raw)) continue;
      const id = result.raw.id ?? result.id;
      const previous = this.counters.get(id);
      batch.push(toContainerStats(id, result.raw, previous));
      const counter = cpuCounterOf(result.raw);
      if (counter) this.counters.set(id, { ...counter, seenAt: now });
    }
    for (const [id, counter] of this.counters) if (now - counter.seenAt > COUNTER_TTL_MS) this.counters.delete(id);
    return batch;
  }
}

/** A stopped container answers with an empty document (no read time). */
function isLiveSample(raw: RawStats): boolean {
  return Boolean(raw.read) && !raw.read!.startsWith("0001-01-01");
}

function safeCall(fn: () => void): void {
  try {
    fn();
  } catch {
    // A subscriber's bug must not stop the sampler for everyone else.
  }
}

export async function mapConcurrent<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  });
  await Promise.all(workers);
  return results;
}
