// The agent's on-disk log spool (agent/remote/log-spool.ts) on a real temporary directory:
// numbering, acknowledgement, surviving a restart (and a torn last write), and dropping the
// oldest unacknowledged lines only when full, with markers that count them.
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { LogSpool, type WireLogLine } from "#agent/remote/log-spool";
import { alreadyShipped, nanoIso } from "#agent/remote/log-shipper";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "spool-test-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const C = "a".repeat(64);
/** Every batch in the spool, reading as the sender does (a segment at a time). */
function readAll(spool: LogSpool) {
  const out = [];
  for (let after = 0; ; ) {
    const next = spool.read(after, 1000);
    if (next.length === 0) return out;
    out.push(...next);
    after = next.at(-1)!.seq;
  }
}
function line(i: number, c = C): WireLogLine {
  return { c, n: "web", s: null, t: `2026-12-03T10:00:00.${String(i).padStart(9, "0")}Z`, o: "stdout", m: `line ${i} ${"x".repeat(80)}` };
}

describe("log spool", () => {
  test("batches are numbered, read back in order, and leave once acknowledged", () => {
    const dir = tempDir();
    const spool = new LogSpool({ dir, maxBytes: 1024 * 1024 });
    expect(spool.append([line(1)], { [`c:${C}`]: { t: "t1", m: {} } })).toBe(1);
    expect(spool.append([line(2), line(3)], {})).toBe(2);
    expect(spool.read(0, 10).map((r) => r.seq)).toEqual([1, 2]);
    expect(spool.read(1, 10).map((r) => r.lines.length)).toEqual([2]);
    spool.ack(1);
    expect(spool.unacked).toBe(1);
    expect(spool.read(1, 10).map((r) => r.seq)).toEqual([2]);
    spool.close();
  });

  test("a restarted spool continues the numbering, keeps unacknowledged batches and the positions, and cuts a torn last line", () => {
    const dir = tempDir();
    const first = new LogSpool({ dir, maxBytes: 1024 * 1024 });
    first.append([line(1)], { [`c:${C}`]: { t: "t1", m: { a: 1 } } });
    first.append([line(2)], { [`c:${C}`]: { t: "t2", m: { b: 1 } } });
    first.ack(1);
    first.close();
    const segment = readdirSync(dir).find((n) => n.startsWith("seg-"))!;
    appendFileSync(join(dir, segment), '{"seq":3,"lines":[{"c":"'); // killed mid-write
    const again = new LogSpool({ dir, maxBytes: 1024 * 1024 });
    expect(again.lastSeq).toBe(2);
    expect(again.position(`c:${C}`)).toEqual({ t: "t2", m: { b: 1 } });
    expect(again.read(1, 10).map((r) => r.seq)).toEqual([2]);
    expect(again.append([line(3)], {})).toBe(3);
    expect(again.read(2, 10).map((r) => r.lines[0]!.m.slice(0, 6))).toEqual(["line 3"]);
    again.close();
  });

  test("the control plane's committed number wins over a lost spool state", () => {
    const spool = new LogSpool({ dir: tempDir(), maxBytes: 1024 * 1024 });
    spool.resume(41);
    expect(spool.append([line(1)], {})).toBe(42);
  });

  test("when full, the oldest unacknowledged lines are dropped and markers count them per source, also across drops", () => {
    const dir = tempDir();
    const dropped: number[] = [];
    const spool = new LogSpool({ dir, maxBytes: 32 * 1024, onDrop: (n) => dropped.push(n) });
    const B = "b".repeat(64);
    let written = 0;
    for (let i = 1; i <= 600; i++) {
      spool.append([line(i), line(i, B)], {});
      written += 2;
    }
    expect(spool.bytes).toBeLessThanOrEqual(32 * 1024 + 8 * 1024);
    const records = readAll(spool);
    // Every batch left (lines and markers) plus what the newest markers count is everything written.
    const kept = records.flatMap((r) => r.lines);
    const markers = kept.filter((l) => l.d);
    const live = kept.filter((l) => !l.d);
    expect(markers.length).toBeGreaterThan(0);
    // Each dropped line is counted by exactly one marker still in the spool (a dropped marker's
    // count carries into the next one): counted + kept = written, per source.
    for (const source of [C, B]) {
      const mine = kept.filter((l) => "c" in l && l.c === source);
      const counted = mine.reduce((n, l) => n + (l.d ?? 0), 0);
      expect(counted + mine.filter((l) => !l.d).length).toBe(written / 2);
      expect(counted).toBeGreaterThan(0);
    }
    expect(markers[0]!.m).toMatch(/log lines were dropped on the node/);
    expect(dropped.reduce((a, b) => a + b, 0)).toBe(spool.dropped);
    expect(live.length + markers.length).toBe(kept.length);
    spool.close();
  });

  test("nothing is dropped while there is room", () => {
    const spool = new LogSpool({ dir: tempDir(), maxBytes: 1024 * 1024 });
    for (let i = 1; i <= 200; i++) spool.append([line(i)], {});
    expect(spool.dropped).toBe(0);
    expect(spool.read(0, 1000).flatMap((r) => r.lines).some((l) => l.d)).toBe(false);
  });
});

describe("resuming a follow", () => {
  test("Docker times become fixed-width UTC ISO strings that order as times", () => {
    expect(nanoIso("2026-12-03T10:00:00.5Z")).toBe("2026-12-03T10:00:00.500000000Z");
    expect(nanoIso("2026-12-03T10:00:00.123456789Z")).toBe("2026-12-03T10:00:00.123456789Z");
    expect(nanoIso("2026-12-03T11:00:00.1+01:00")).toBe("2026-12-03T10:00:00.100000000Z");
    expect(nanoIso("2026-12-03T10:00:00.5Z") > nanoIso("2026-12-03T10:00:00.45Z")).toBe(true);
  });

  test("lines before the resume point and the messages already shipped at its exact time are skipped, once each", () => {
    const resume = { t: "2026-12-03T10:00:00.000000002Z", m: { a: 1 } };
    expect(alreadyShipped(resume, "2026-12-03T10:00:00.000000001Z", "x")).toBe(true);
    expect(alreadyShipped(resume, "2026-12-03T10:00:00.000000002Z", "a")).toBe(true);
    expect(alreadyShipped(resume, "2026-12-03T10:00:00.000000002Z", "a")).toBe(false);
    expect(alreadyShipped(resume, "2026-12-03T10:00:00.000000003Z", "x")).toBe(false);
    expect(alreadyShipped(null, "2026-12-03T10:00:00Z", "x")).toBe(false);
  });
});
