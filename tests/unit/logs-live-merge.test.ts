// The browser's merge of live batches and the resume seam (pure functions of the Logs page).
import { describe, expect, test } from "vitest";
import { advanceResume, afterResume, mergeByTime } from "~/components/logs/live-merge";
import type { LogLine } from "~/server/logs/log-line";

const at = (ms: number, container: string, message = `${container}@${ms}`): LogLine => ({
  time: new Date(Date.UTC(2026, 10, 25, 12, 0, 0, ms)).toISOString(),
  source: { agentId: "x", containerId: container, containerName: container },
  stream: "stdout",
  level: "unknown",
  message,
});

describe("mergeByTime", () => {
  test("a batch that trails another source's is merged into place; each source keeps its order", () => {
    let view = mergeByTime([], [at(10, "a"), at(40, "a")]);
    view = mergeByTime(view, [at(20, "b"), at(30, "b"), at(50, "b")]);
    expect(view.map((l) => l.message)).toEqual(["a@10", "b@20", "b@30", "a@40", "b@50"]);
    // Equal times keep arrival order (stable).
    view = mergeByTime(view, [at(50, "c")]);
    expect(view.slice(-2).map((l) => l.message)).toEqual(["b@50", "c@50"]);
  });

  test("keeps only the newest lines beyond the limit", () => {
    const view = mergeByTime([at(1, "a"), at(2, "a")], [at(3, "a"), at(4, "a")], 3);
    expect(view.map((l) => l.message)).toEqual(["a@2", "a@3", "a@4"]);
  });
});

describe("resuming", () => {
  test("a replay from the resume point repeats nothing the viewer has and loses nothing at that time", () => {
    const seen = [at(10, "a"), at(20, "a", "first at 20"), at(20, "b")];
    const point = advanceResume(null, seen);
    const replay = [at(20, "a", "first at 20"), at(20, "b"), at(20, "a", "second at 20"), at(30, "a")];
    expect(afterResume(point, replay).map((l) => l.message)).toEqual(["second at 20", "a@30"]);
    expect(afterResume(null, replay)).toHaveLength(4);
  });
});
