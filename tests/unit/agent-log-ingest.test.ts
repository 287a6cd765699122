// The control plane's mapping of a node's log batch to stored lines (app/server/logs/
// agent-log-ingest.server.ts): everything is attributed to the agent that sent it, nginx lines
// only for that agent's proxy hosts, marker lines are warnings, times keep microseconds.
import { describe, expect, test } from "vitest";
import { toStoredAgentLines } from "~/server/logs/agent-log-ingest.server";

const C = "c".repeat(64);

describe("a node's log batch as stored lines", () => {
  test("container and nginx lines carry the sending agent's id; another agent's proxy host is refused", () => {
    const { stored, refused } = toStoredAgentLines(
      "agent-1",
      [
        { c: C, n: "/web", s: "shop", t: "2026-12-03T10:00:00.123456789Z", o: "stderr", m: "ERROR boom" },
        { h: "host-mine", k: "access", t: "2026-12-03T10:00:01.000000000Z", m: '127.0.0.1 - - [03/Dec/2026:10:00:01 +0000] "GET / HTTP/1.1" 502 0 "-" "curl"' },
        { h: "host-other", k: "error", t: "2026-12-03T10:00:02.000000000Z", m: "[error] 1#1: upstream" },
      ],
      new Set(["host-mine"]),
    );
    expect(refused).toBe(1);
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({ agentId: "agent-1", containerId: C, containerName: "web", stack: "shop", proxyHostId: null, stream: "stderr", level: "error", time: "2026-12-03T10:00:00.123456Z" });
    expect(stored[1]).toMatchObject({ agentId: "agent-1", containerId: null, proxyHostId: "host-mine", stream: "access", level: "error" });
  });

  test("a spool marker is a warning of its container, whatever its words", () => {
    const { stored } = toStoredAgentLines("agent-1", [{ c: C, n: "web", s: null, t: "2026-12-03T10:00:00.000000000Z", o: "stderr", m: "[InfraPilot agent] 12 log lines were dropped on the node", d: 12 }], new Set());
    expect(stored[0]).toMatchObject({ level: "warn", containerId: C, message: "[InfraPilot agent] 12 log lines were dropped on the node" });
  });
});
