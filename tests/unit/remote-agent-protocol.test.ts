// Pure parts of the remote agent protocol: the reconnect backoff, how log batches are cut into
// frames, and the signed message.
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { describe, expect, test } from "vitest";
import { backoffDelay } from "#agent/remote/client";
import { splitLogBatch } from "#agent/remote/dispatcher";
import { authMessage, FLOW_METHODS, isWriteCommand, MAX_FRAME_BYTES, RPC_METHODS } from "#agent/remote/protocol";
import type { LogEntry } from "#agent/types";

describe("backoffDelay", () => {
  test("doubles per attempt, stays between half and all of the step, and is capped", () => {
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffDelay(3, 500, 30_000, () => 0)).toBe(2000);
    expect(backoffDelay(50, 500, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(50, 500, 30_000, () => 0)).toBe(15_000);
  });

  test("jitter spreads nodes that lost the same control plane", () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, 500, 30_000)));
    expect(delays.size).toBeGreaterThan(10);
  });
});

describe("splitLogBatch", () => {
  const entry = (message: string): LogEntry => ({ time: null, stream: "stdout", message });

  test("a small batch is one frame", () => {
    const batch = [entry("a"), entry("b")];
    expect(splitLogBatch(batch)).toEqual([[batch]]);
  });

  test("a large batch is cut so every frame stays under the frame limit, keeping every line in order", () => {
    const batch = Array.from({ length: 2000 }, (_, i) => entry(`${i} ${"x".repeat(500)}`));
    const frames = splitLogBatch(batch);
    expect(frames.length).toBeGreaterThan(1);
    for (const [items] of frames) expect(Buffer.byteLength(JSON.stringify(items))).toBeLessThan(MAX_FRAME_BYTES);
    expect(frames.flatMap(([items]) => items!.map((e) => e.message))).toEqual(batch.map((e) => e.message));
  });

  test("one huge line is shortened to fit", () => {
    const [[items]] = splitLogBatch([entry("y".repeat(MAX_FRAME_BYTES * 2))]);
    expect(Buffer.byteLength(JSON.stringify(items))).toBeLessThan(MAX_FRAME_BYTES);
  });
});

describe("authMessage", () => {
  test("a signature binds the agent id and the nonce", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const signature = sign(null, authMessage("agent-a", "nonce-1"), privateKey);
    expect(verify(null, authMessage("agent-a", "nonce-1"), publicKey, signature)).toBe(true);
    expect(verify(null, authMessage("agent-a", "nonce-2"), publicKey, signature)).toBe(false);
    expect(verify(null, authMessage("agent-b", "nonce-1"), publicKey, signature)).toBe(false);
  });
});

describe("which commands a paused agent refuses (decision 125)", () => {
  test("every call and flow is classified; writes are exactly the ones that change the node", () => {
    const writes = [...RPC_METHODS, ...FLOW_METHODS].filter((m) => isWriteCommand(m)).sort();
    expect(writes).toEqual(
      [
        "createNetwork",
        "exec",
        "proxy.apply",
        "proxy.putChallenge",
        "proxy.removeChallenge",
        "pruneImages",
        "pruneVolumes",
        "pullImage",
        "removeContainer",
        "removeImage",
        "removeNetwork",
        "removeVolume",
        "restartContainer",
        "startContainer",
        "stopContainer",
      ].sort(),
    );
    for (const read of ["info", "listContainers", "inspectContainer", "stats", "logs", "events", "subscribeStats", "proxy.status", "statsHistory"] as const) expect(isWriteCommand(read)).toBe(false);
  });
});
