// The scheduler's bookkeeping without timers or I/O (decision 060), so it is unit tested with a
// synthetic clock. Each monitor sits on its own grid `offset + k * interval` (schedule.ts); a tick
// starts every due monitor, earliest first, up to `concurrency` checks in flight; a due monitor
// that finds no free slot waits (late, not skipped); a monitor whose previous check is still
// running when its next grid point comes skips that point rather than piling checks up.
import { nextRunAfter, offsetFor } from "./schedule";

export interface Schedulable {
  id: string;
  intervalSeconds: number;
}

interface Entry<T> {
  item: T;
  intervalMs: number;
  offsetMs: number;
  nextAt: number;
  running: boolean;
}

export interface Started<T> {
  item: T;
  /** The grid point it was due at (now − dueAt is its lateness). */
  dueAt: number;
}

export class SchedulerCore<T extends Schedulable> {
  private entries = new Map<string, Entry<T>>();
  private running = 0;
  skipped = 0;

  constructor(readonly concurrency: number) {}

  get inFlight(): number {
    return this.running;
  }

  get size(): number {
    return this.entries.size;
  }

  nextAtOf(id: string): number | undefined {
    return this.entries.get(id)?.nextAt;
  }

  /** Replaces the set of monitors; kept ones keep their place on the grid unless their interval changed. */
  sync(items: T[], now: number): void {
    const seen = new Set<string>();
    for (const item of items) {
      seen.add(item.id);
      const intervalMs = item.intervalSeconds * 1000;
      const existing = this.entries.get(item.id);
      if (existing && existing.intervalMs === intervalMs) {
        existing.item = item;
        continue;
      }
      const offsetMs = offsetFor(item.id, intervalMs);
      this.entries.set(item.id, { item, intervalMs, offsetMs, nextAt: nextRunAfter(now, intervalMs, offsetMs), running: existing?.running ?? false });
    }
    for (const id of [...this.entries.keys()]) if (!seen.has(id)) this.entries.delete(id);
  }

  /** The checks to start now; call `finished(id)` when each ends. */
  tick(now: number): Started<T>[] {
    const due = [...this.entries.values()].filter((e) => e.nextAt <= now).sort((a, b) => a.nextAt - b.nextAt);
    const started: Started<T>[] = [];
    for (const e of due) {
      if (e.running) {
        // Still checking since an earlier point: skip this one, stay on the grid.
        this.skipped++;
        e.nextAt = nextRunAfter(now, e.intervalMs, e.offsetMs);
        continue;
      }
      if (this.running >= this.concurrency) continue;
      started.push({ item: e.item, dueAt: e.nextAt });
      e.running = true;
      this.running++;
      // From the grid, not from when this check will end: no drift.
      e.nextAt = nextRunAfter(now, e.intervalMs, e.offsetMs);
    }
    return started;
  }

  finished(id: string): void {
    const e = this.entries.get(id);
    if (e?.running) e.running = false;
    this.running = Math.max(0, this.running - 1);
  }
}
