import { describe, expect, test } from "vitest";
import { groupByStack, sortContainers } from "~/components/containers/container-table";
import { formatBytes, formatPorts, parseStatusSpan, tickStatus } from "~/components/containers/format";
import { maskEnv, MASK } from "~/server/docker/mask-secrets";
import { readFrame } from "~/server/realtime/terminal.server";
import type { ContainerListItem } from "~/server/docker/containers.server";

describe("secret masking (by key)", () => {
  test("masks values of keys that look secret and reveals only the one asked for", () => {
    const env = [
      { key: "POSTGRES_PASSWORD", value: "p" },
      { key: "aws_secret_access_key", value: "s" },
      { key: "GITHUB_TOKEN", value: "t" },
      { key: "API_KEY", value: "k" },
      { key: "PATH", value: "/bin" },
    ];
    expect(maskEnv(env).map((e) => e.value)).toEqual([MASK, MASK, MASK, MASK, "/bin"]);
    expect(maskEnv(env, "GITHUB_TOKEN").map((e) => e.value)).toEqual([MASK, MASK, "t", MASK, "/bin"]);
  });
});

describe("terminal frames", () => {
  test("accepts the three frame types as JSON text or objects", () => {
    expect(readFrame('{"type":"input","data":"ls\\n"}')).toEqual({ type: "input", data: "ls\n" });
    expect(readFrame({ type: "resize", cols: 100, rows: 40 })).toEqual({ type: "resize", cols: 100, rows: 40 });
    expect(readFrame('{"type":"exit"}')).toEqual({ type: "exit" });
  });

  test("rejects malformed, unknown and oversized frames", () => {
    for (const bad of ["{nope", "42", '{"type":"boom"}', '{"type":"resize","cols":"x","rows":1}', JSON.stringify({ type: "input", data: "x".repeat(70_000) }), 42, null]) {
      expect(readFrame(bad)).toBeNull();
    }
  });
});

describe("list display", () => {
  test("groups by stack with lone containers last", () => {
    const item = (name: string, stack: string | null) => ({ name, stack }) as ContainerListItem;
    expect(groupByStack([item("a", null), item("b", "shop"), item("c", "blog"), item("d", "shop")]).map(([s, l]) => [s, l.length])).toEqual([
      ["blog", 1],
      ["shop", 2],
      [null, 1],
    ]);
  });

  test("formats bytes and ports", () => {
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(null)).toBe("—");
    expect(formatPorts([{ private: 80, public: 8080, protocol: "tcp" }, { private: 80, public: 8080, protocol: "tcp" }, { private: 53, public: null, protocol: "udp" }])).toBe("8080→80/tcp, 53/udp");
  });
});

describe("Docker's status sentence, kept ticking", () => {
  test("reads the span Docker states, in every wording it uses", () => {
    expect(parseStatusSpan("Up Less than a second")).toMatchObject({ kind: "up", seconds: 0 });
    expect(parseStatusSpan("Up 5 seconds")).toMatchObject({ kind: "up", seconds: 5 });
    expect(parseStatusSpan("Up About a minute")).toMatchObject({ seconds: 60 });
    expect(parseStatusSpan("Up About an hour (healthy)")).toMatchObject({ seconds: 3600, suffix: " (healthy)" });
    expect(parseStatusSpan("Up 3 days (Paused)")).toMatchObject({ seconds: 3 * 86_400, suffix: " (Paused)" });
    expect(parseStatusSpan("Exited (137) 2 hours ago")).toMatchObject({ kind: "ago", seconds: 7200, prefix: "Exited (137)" });
    expect(parseStatusSpan("Restarting (1) 4 seconds ago")).toMatchObject({ kind: "ago", seconds: 4 });
    expect(parseStatusSpan("Created")).toBeNull();
    expect(parseStatusSpan("Dead")).toBeNull();
    expect(parseStatusSpan("Up forever")).toBeNull();
  });

  test("advances by the time elapsed, at Docker's precision", () => {
    expect(tickStatus("Up 5 seconds", 0)).toBe("Up 5 s");
    expect(tickStatus("Up 5 seconds", 12_000)).toBe("Up 17 s");
    expect(tickStatus("Up 50 seconds (healthy)", 15_000)).toBe("Up 1 min (healthy)");
    expect(tickStatus("Up About an hour", 60_000)).toBe("Up 1 h");
    expect(tickStatus("Up 47 hours", 3_600_000)).toBe("Up 2 days");
    expect(tickStatus("Exited (0) 10 seconds ago", 5_000)).toBe("Exited (0) 15 s ago");
    expect(tickStatus("Created", 99_000)).toBe("Created");
  });
});

describe("sorting the containers table", () => {
  const row = (name: string, state: ContainerListItem["state"], cpuPercent: number | null) =>
    ({ id: name, name, image: `img/${name}`, state, status: "", createdAt: "", stack: null, service: null, ports: [], health: "none", cpuPercent, memoryBytes: null, memoryLimitBytes: null, networkRxBytes: null, networkTxBytes: null, protection: null }) as ContainerListItem;
  const items = [row("b", "exited", null), row("a", "running", 5), row("c", "running", 50)];
  test("by name, state (running first) and CPU (stopped ones last when descending)", () => {
    expect(sortContainers(items, "name", false).map((c) => c.name)).toEqual(["a", "b", "c"]);
    expect(sortContainers(items, "name", true).map((c) => c.name)).toEqual(["c", "b", "a"]);
    expect(sortContainers(items, "state", false).map((c) => c.name)).toEqual(["a", "c", "b"]);
    expect(sortContainers(items, "cpu", true).map((c) => c.name)).toEqual(["c", "a", "b"]);
  });
});
