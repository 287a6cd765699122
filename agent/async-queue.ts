// A single-consumer queue exposed as an AsyncIterable. Producers push; when
// more than `highWaterMark` items wait, `onPressure(true)` asks the producer to
// pause, and `onPressure(false)` lets it resume once the consumer caught up, so
// a slow consumer never makes memory grow without bound.

export interface AsyncQueueOptions {
  highWaterMark?: number;
  onPressure?: (paused: boolean) => void;
  /** Called once when the consumer stops early (break/return) or the queue ends. */
  onClose?: () => void;
}

export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private failing: ((error: unknown) => void) | null = null;
  private ended = false;
  private error: unknown = null;
  private paused = false;
  private closed = false;

  constructor(private readonly options: AsyncQueueOptions = {}) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failing = null;
      resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
    if (!this.paused && this.items.length >= (this.options.highWaterMark ?? 256)) {
      this.paused = true;
      this.options.onPressure?.(true);
    }
  }

  /** Ends the iteration after the queued items; with an error, it is thrown to the consumer. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error ?? null;
    if (this.waiting && this.items.length === 0) {
      const resolve = this.waiting;
      const reject = this.failing!;
      this.waiting = this.failing = null;
      if (this.error) reject(this.error);
      else resolve({ value: undefined, done: true });
    }
    if (this.items.length === 0) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.onClose?.();
  }

  private next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) {
      const value = this.items.shift()!;
      if (this.paused && this.items.length <= (this.options.highWaterMark ?? 256) / 2) {
        this.paused = false;
        this.options.onPressure?.(false);
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) {
      this.close();
      return this.error ? Promise.reject(this.error) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failing = reject;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: async () => {
        this.ended = true;
        this.items.length = 0;
        this.close();
        return { value: undefined, done: true };
      },
    };
  }
}
