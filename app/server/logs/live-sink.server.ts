// The per-connection side of live logs: lines from the hub queue here per subscription and leave
// in batches every `flushMs` or as soon as `maxBatch` lines wait, whichever comes first. While the
// connection is congested (its transport still writing earlier batches) nothing is sent; a queue
// holds at most `maxPending` lines and drops its oldest beyond that, counting them, so the next
// batch carries a `skipped` count. Memory per connection is therefore bounded by
// subscriptions × maxPending lines plus the few batches already handed to the transport.
import type { LiveLine } from "./log-line";

export interface SinkOptions {
  flushMs?: number;
  maxBatch?: number;
  maxPending?: number;
}

export interface SinkTarget {
  /** Sends one batch of a subscription; `skipped` counts lines dropped just before these. */
  send(subscriptionId: string, items: LiveLine[], skipped: number): void;
  /** True while earlier batches have not left yet: hold back instead of piling up. */
  congested(): boolean;
}

interface Queue {
  lines: LiveLine[];
  skipped: number;
  /** Keep the merged order by time when lines of several sources share a queue. */
  merge: boolean;
}

export const SINK_DEFAULTS = { flushMs: 100, maxBatch: 500, maxPending: 5_000 } as const;

export class LiveSink {
  private readonly queues = new Map<string, Queue>();
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly target: SinkTarget,
    options: SinkOptions = {},
  ) {
    this.flushMs = options.flushMs ?? SINK_DEFAULTS.flushMs;
    this.maxBatch = options.maxBatch ?? SINK_DEFAULTS.maxBatch;
    this.maxPending = options.maxPending ?? SINK_DEFAULTS.maxPending;
  }

  open(subscriptionId: string, options: { merge: boolean }): void {
    this.queues.set(subscriptionId, { lines: [], skipped: 0, merge: options.merge });
  }

  has(subscriptionId: string): boolean {
    return this.queues.has(subscriptionId);
  }

  /** Drops what waits for a subscription (after `flush()` if the rest should still go out). */
  close(subscriptionId: string): void {
    this.queues.delete(subscriptionId);
  }

  /** Lines waiting across all subscriptions (what this connection holds in memory). */
  pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.lines.length;
    return n;
  }

  push(subscriptionId: string, lines: readonly LiveLine[]): void {
    const queue = this.queues.get(subscriptionId);
    if (!queue || this.closed || lines.length === 0) return;
    if (lines.length >= this.maxPending) {
      queue.skipped += queue.lines.length + lines.length - this.maxPending;
      queue.lines = lines.slice(lines.length - this.maxPending);
    } else {
      for (const line of lines) queue.lines.push(line);
      const over = queue.lines.length - this.maxPending;
      if (over > 0) {
        queue.skipped += over;
        queue.lines.splice(0, over);
      }
    }
    if (queue.lines.length >= this.maxBatch) this.flush();
    else this.schedule();
  }

  /** Sends what the transport can take now (`force`: all of `only`'s queue, the last words of a
   *  subscription, bounded by its queue); the rest waits for the next tick or `drained()`. */
  flush(only?: string, options: { force?: boolean } = {}): void {
    if (this.closed) return;
    if (this.timer && !only) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    let left = false;
    for (const [id, queue] of this.queues) {
      if (only && id !== only) continue;
      while (queue.lines.length > 0 || queue.skipped > 0) {
        if (!options.force && this.target.congested()) {
          left = true;
          break;
        }
        const items = queue.lines.length <= this.maxBatch ? queue.lines : queue.lines.slice(0, this.maxBatch);
        queue.lines = items === queue.lines ? [] : queue.lines.slice(this.maxBatch);
        if (queue.merge) items.sort(byTime);
        const skipped = queue.skipped;
        queue.skipped = 0;
        this.target.send(id, items, skipped);
      }
      if (left) break;
    }
    if (left || (only && this.pending() > 0)) this.schedule();
  }

  /** The transport finished writing: send what waits without waiting for the timer. */
  drained(): void {
    if (this.timer && this.pending() > 0) this.flush();
  }

  dispose(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queues.clear();
  }

  private schedule(): void {
    if (!this.timer && !this.closed) this.timer = setTimeout(() => this.flush(), this.flushMs);
  }
}

/** ISO times of one length compare as strings; lines without a time keep their place. Stable. */
function byTime(a: LiveLine, b: LiveLine): number {
  if (a.time === null || b.time === null || a.time === b.time) return 0;
  return a.time < b.time ? -1 : 1;
}
