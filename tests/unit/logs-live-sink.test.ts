// The per-connection sink of live logs: size- and time-bounded batches, merged order by time, and
// a bounded queue that turns a congested connection into a `skipped` count instead of memory.
import { afterEach, describe, expect, test, vi } from "vitest";
import { LiveSink } from "~/server/logs/live-sink.server";
import type { LiveLine, LogLine } from "~/server/logs/log-line";

const line = (n: number, container = "a", ms = n): LogLine => ({
  time: new Date(Date.UTC(2026, 10, 25, 12, 0, 0, ms)).toISOString(),
  source: { agentId: "x", containerId: container, containerName: container },
  stream: "stdout",
  level: "unknown",
  message: `line ${n}`,
});

function harness(options = {}) {
  const sent: { id: string; items: LiveLine[]; skipped: number }[] = [];
  let congested = false;
  const sink = new LiveSink({ send: (id, items, skipped) => sent.push({ id, items, skipped }), congested: () => congested }, options);
  return { sink, sent, setCongested: (v: boolean) => (congested = v) };
}

afterEach(() => vi.useRealTimers());

describe("LiveSink", () => {
  test("sends a batch once the time bound passes, or at once when the size bound is reached", () => {
    vi.useFakeTimers();
    const { sink, sent } = harness({ flushMs: 100, maxBatch: 10 });
    sink.open("s", { merge: false });
    sink.push("s", [line(1), line(2)]);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(sent.map((b) => b.items.length)).toEqual([2]);
    sink.push("s", Array.from({ length: 25 }, (_, i) => line(i)));
    // 25 lines ≥ 10: sent at once in batches of at most 10.
    expect(sent.slice(1).map((b) => b.items.length)).toEqual([10, 10, 5]);
  });

  test("merges several sources by time within a batch, keeping each source's order", () => {
    vi.useFakeTimers();
    const { sink, sent } = harness();
    sink.open("s", { merge: true });
    sink.push("s", [line(1, "a", 10), line(2, "a", 30)]);
    sink.push("s", [line(3, "b", 20), line(4, "b", 40)]);
    vi.advanceTimersByTime(100);
    expect(sent[0]!.items.map((l) => l.message)).toEqual(["line 1", "line 3", "line 2", "line 4"]);
  });

  test("a congested connection holds at most maxPending lines and then reports what it skipped", () => {
    vi.useFakeTimers();
    const { sink, sent, setCongested } = harness({ maxPending: 1_000, maxBatch: 500 });
    sink.open("s", { merge: false });
    setCongested(true);
    for (let i = 0; i < 100; i++) sink.push("s", Array.from({ length: 1_000 }, (_, j) => line(i * 1_000 + j)));
    vi.advanceTimersByTime(1_000);
    expect(sent).toEqual([]);
    expect(sink.pending()).toBe(1_000);
    setCongested(false);
    sink.drained();
    expect(sent[0]!.skipped).toBe(99_000);
    expect(sent.reduce((n, b) => n + b.items.length, 0)).toBe(1_000);
    // The newest lines survive: the oldest go first.
    expect(sent.at(-1)!.items.at(-1)!.message).toBe("line 99999");
    expect(sent[1]!.skipped).toBe(0);
  });

  test("a forced flush sends a closing subscription's queue even when congested; disposal drops everything", () => {
    vi.useFakeTimers();
    const { sink, sent, setCongested } = harness();
    sink.open("s", { merge: false });
    setCongested(true);
    sink.push("s", [line(1)]);
    sink.flush("s", { force: true });
    expect(sent.map((b) => b.items.length)).toEqual([1]);
    sink.push("s", [line(2)]);
    sink.dispose();
    setCongested(false);
    vi.advanceTimersByTime(1_000);
    expect(sent).toHaveLength(1);
  });
});
