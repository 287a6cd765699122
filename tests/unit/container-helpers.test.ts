import { describe, expect, test } from "vitest";
import { groupByStack } from "~/components/containers/container-table";
import { formatBytes, formatPorts } from "~/components/containers/format";
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
