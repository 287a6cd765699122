// The live hub against the real Docker engine, in-process with a LocalAgent: any number of
// listeners on one container share ONE Docker follow, which stops with the last listener.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LocalAgent } from "#agent/local/local-agent";
import { hubStats, keepFollowing, subscribeLive } from "~/server/logs/live-hub.server";
import type { LogLine } from "~/server/logs/log-line";
import { ensureTestDocker, removeTestContainers } from "../setup/docker";
import { runContainer } from "../setup/containers";

const RUN_ID = `hub-${process.pid}-${Date.now().toString(36)}`;
let dockerHost: string;
let agent: LocalAgent;

beforeAll(async () => {
  dockerHost = await ensureTestDocker();
  agent = new LocalAgent({ dockerHost, nginxBin: null });
});

afterAll(async () => {
  await agent?.close();
  if (dockerHost) await removeTestContainers(dockerHost, RUN_ID);
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the live log hub", () => {
  test("two listeners on one container share one Docker follow and see the same lines; it stops after the last leaves", async () => {
    const id = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-ticker`, ["sh", "-c", "trap 'exit 0' TERM; i=0; while true; i=$((i+1)); do echo tick$i; sleep 0.1; done"]);
    const source = { agentId: "agent-under-test", containerId: id, containerName: "ticker" };
    const before = hubStats();
    const seenA: LogLine[] = [];
    const seenB: LogLine[] = [];
    const stopA = subscribeLive(agent, source, { lines: (l) => seenA.push(...l), end: () => {} });
    const stopB = subscribeLive(agent, source, { lines: (l) => seenB.push(...l), end: () => {} });

    const during = hubStats();
    expect(during.started - before.started).toBe(1);
    expect(during.byContainer[`agent-under-test:${id}`]).toBe(2);
    await until(() => seenA.length >= 5 && seenB.length >= 5);
    // One follow, one conversion: both listeners receive the very same line objects.
    expect(seenB.slice(0, 5)).toEqual(seenA.slice(0, 5));
    expect(seenA[0]).toBe(seenB[0]);
    expect(seenA.map((l) => l.message).every((m) => /^tick\d+$/.test(m))).toBe(true);
    expect(seenA[0]!.source).toEqual(source);

    stopA();
    expect(hubStats().byContainer[`agent-under-test:${id}`]).toBe(1);
    const countA = seenA.length;
    await until(() => seenB.length >= countA + 3);
    expect(seenA.length).toBe(countA);
    stopB();
    expect(hubStats().byContainer[`agent-under-test:${id}`]).toBeUndefined();
    expect(hubStats().follows).toBe(before.follows);

    // A later listener starts a fresh follow (and gets only what is printed from then on).
    const seenC: LogLine[] = [];
    const stopC = subscribeLive(agent, source, { lines: (l) => seenC.push(...l), end: () => {} });
    expect(hubStats().started - before.started).toBe(2);
    await until(() => seenC.length >= 2);
    const lastB = Number(seenB.at(-1)!.message.slice(4));
    expect(Number(seenC[0]!.message.slice(4))).toBeGreaterThan(lastB);
    stopC();
  });

  test("listeners hear when the container stops, and the follow is gone", async () => {
    const id = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-short`, ["sh", "-c", "sleep 1; echo bye; sleep 0.2; echo ERROR failed >&2"]);
    const source = { agentId: "agent-under-test", containerId: id, containerName: "short" };
    const seen: LogLine[] = [];
    let ended: string | null | undefined;
    subscribeLive(agent, source, { lines: (l) => seen.push(...l), end: (reason) => (ended = reason) });
    await until(() => ended !== undefined);
    expect(ended).toBeNull();
    expect(seen.map((l) => [l.message, l.stream, l.level])).toEqual([
      ["bye", "stdout", "unknown"],
      ["ERROR failed", "stderr", "error"],
    ]);
    expect(hubStats().byContainer[`agent-under-test:${id}`]).toBeUndefined();
  });

  test("a keeper holds the follow back (no line lost, viewers wait too); it gets lines from its own start point", async () => {
    const id = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-kept`, ["sh", "-c", "trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo kept$i; sleep 0.02; done"]);
    const source = { agentId: "agent-under-test", containerId: id, containerName: "kept" };
    await new Promise((r) => setTimeout(r, 500));
    const kept: LogLine[] = [];
    const viewed: LogLine[] = [];
    let release: (() => void) | null = null;
    let blocked = false;
    const leaveKeeper = keepFollowing(agent, source, {
      since: new Date(0),
      async lines(lines) {
        kept.push(...lines);
        if (blocked) await new Promise<void>((r) => (release = r));
      },
      end: () => {},
    });
    await until(() => kept.length >= 30);
    // From the beginning of the container's output, not from "now".
    expect(kept[0]!.message).toBe("kept1");
    const leaveViewer = subscribeLive(agent, source, { lines: (l) => viewed.push(...l), end: () => {} });
    await until(() => viewed.length >= 5);
    blocked = true;
    await until(() => release !== null);
    const keptAt = kept.length;
    const viewedAt = viewed.length;
    await new Promise((r) => setTimeout(r, 1_000));
    // The Docker read waits for the keeper: nothing more reaches anyone.
    expect(kept.length).toBe(keptAt);
    expect(viewed.length).toBe(viewedAt);
    blocked = false;
    release!();
    await until(() => kept.length >= keptAt + 60);
    // Nothing was lost while held back: the keeper's lines are consecutive.
    const numbers = kept.map((l) => Number(l.message.slice(4)));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(viewed.length).toBeGreaterThan(viewedAt);
    leaveViewer();
    // The keeper alone keeps the follow.
    expect(hubStats().keptBy[`agent-under-test:${id}`]).toBe(1);
    leaveKeeper();
    expect(hubStats().keptBy[`agent-under-test:${id}`]).toBeUndefined();
  });
});
