// The node's bounded on-disk spool of log batches not yet acknowledged by the control plane
// (docs/decisions/135-agent-log-spool.md). Each batch is one JSON line `{seq, lines, pos}` in a
// segment file `seg-<first seq>.jsonl` under `<AGENT_DATA_DIR>/log-spool/`; `pos` carries where
// each source's reading stood after the batch, so a restarted agent resumes its follows from the
// newest batch it wrote (whether or not it was sent). A batch leaves the spool when the control
// plane acknowledged it (committed to the log store); when the spool is over its size, the oldest
// segment is dropped even though it was not acknowledged, and one marker line per source that
// lost lines says how many (a dropped marker's count carries over into the next marker).
// Survives the agent process's restarts and kills (an incomplete last line is cut off on open);
// writes are not fsynced, so a power loss may lose the last moments.
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";

/** A container line (`c`), an nginx line (`h`), optionally a marker for `d` dropped lines. */
export type WireLogLine =
  | { c: string; n: string; s: string | null; t: string; o: "stdout" | "stderr"; m: string; d?: number }
  | { h: string; k: "access" | "error"; t: string; m: string; d?: number };

/** Where a source's reading stood: a container's last time and the messages at exactly that time. */
export interface ContainerPosition {
  t: string;
  m: Record<string, number>;
}
/** `c:<container id>` → ContainerPosition; `proxy` → the nginx tailer's offsets (plain JSON). */
export type SpoolPositions = Record<string, unknown>;

export interface SpoolRecord {
  seq: number;
  lines: WireLogLine[];
  pos: SpoolPositions;
}

interface Segment {
  name: string;
  first: number;
  last: number;
  bytes: number;
  /** The newest position per source among its batches, and the batch it came from. */
  pos: SpoolPositions;
  posSeq: Record<string, number>;
}

function notePositions(segment: Segment, r: SpoolRecord): void {
  for (const [key, value] of Object.entries(r.pos)) {
    segment.pos[key] = value;
    segment.posSeq[key] = r.seq;
  }
}

interface SpoolState {
  /** Highest sequence number the control plane acknowledged. */
  acked: number;
  /** Highest sequence number ever written (segments may all be gone). */
  lastSeq: number;
  /** Positions of the batches no longer in a segment, and the batch each came from. */
  pos: SpoolPositions;
  posSeq: Record<string, number>;
  /** Lines dropped because the spool was full, since the agent's data directory was created. */
  dropped: number;
}

export interface LogSpoolOptions {
  dir: string;
  /** Bytes of segment files kept at most. */
  maxBytes: number;
  /** Called when segments were dropped for room, with the lines lost. */
  onDrop?: (lines: number) => void;
  now?: () => Date;
}

const SEGMENT_RE = /^seg-(\d{12})\.jsonl$/;

/** Pure: the marker line for `count` dropped lines of one source (`like` names the source). */
export function markerLine(like: WireLogLine, count: number, maxBytes: number, now: Date): WireLogLine {
  const message = `[InfraPilot agent] ${count} log line${count === 1 ? " was" : "s were"} dropped on the node: the agent's spool (${formatMb(maxBytes)}) was full while the control plane did not acknowledge them; the oldest were dropped first.`;
  const t = now.toISOString().replace("Z", "000000Z").replace(/(\.\d{9})\d*Z$/, "$1Z");
  return "c" in like ? { c: like.c, n: like.n, s: like.s, t, o: "stderr", m: message, d: count } : { h: like.h, k: "error", t, m: message, d: count };
}

function formatMb(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `AGENT_LOG_SPOOL_MB=${mb >= 10 ? Math.round(mb) : Number(mb.toFixed(2))}`;
}

/** Pure: merges the positions of a later batch over earlier ones. */
export function mergePositions(into: SpoolPositions, later: SpoolPositions): SpoolPositions {
  for (const [key, value] of Object.entries(later)) into[key] = value;
  return into;
}

export class LogSpool {
  private readonly dir: string;
  private segments: Segment[] = [];
  private state: SpoolState = { acked: 0, lastSeq: 0, pos: {}, posSeq: {}, dropped: 0 };
  /** The highest batch sent and not acknowledged yet: its segment is not dropped for room. */
  private inFlight = 0;
  private fd: number | null = null;
  private positions: SpoolPositions = {};
  private readonly segmentBytes: number;
  /** Records appended by this process, oldest first, kept in memory for sending (bounded). */
  private memory: SpoolRecord[] = [];
  /** Bytes of each record in `memory` (same order). */
  private memorySizes: number[] = [];
  private memoryBytes = 0;
  private static readonly MEMORY_BYTES = 8 * 1024 * 1024;

  constructor(private readonly options: LogSpoolOptions) {
    this.dir = options.dir;
    this.segmentBytes = Math.max(4 * 1024, Math.min(4 * 1024 * 1024, Math.floor(options.maxBytes / 8)));
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.load();
  }

  /** Largest batch (JSON bytes) the caller should append, so that one segment holds several. */
  get maxRecordBytes(): number {
    return Math.max(2 * 1024, Math.min(256 * 1024, Math.floor(this.segmentBytes / 2)));
  }

  get acked(): number {
    return this.state.acked;
  }

  get lastSeq(): number {
    return this.state.lastSeq;
  }

  /** Lines dropped for room so far (all time). */
  get dropped(): number {
    return this.state.dropped;
  }

  /** Bytes of segment files on disk. */
  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  /** Batches written and not acknowledged. */
  get unacked(): number {
    return Math.max(0, this.state.lastSeq - this.state.acked);
  }

  /** Where every source's reading stood after the newest batch written. */
  position(key: string): unknown {
    return this.positions[key];
  }

  private statePath(): string {
    return join(this.dir, "state.json");
  }

  private load(): void {
    try {
      const parsed = JSON.parse(readFileSync(this.statePath(), "utf8")) as Partial<SpoolState>;
      this.state = { acked: Number(parsed.acked) || 0, lastSeq: Number(parsed.lastSeq) || 0, pos: parsed.pos && typeof parsed.pos === "object" ? parsed.pos : {}, posSeq: parsed.posSeq && typeof parsed.posSeq === "object" ? parsed.posSeq : {}, dropped: Number(parsed.dropped) || 0 };
    } catch {
      // A fresh spool.
    }
    this.positions = { ...this.state.pos };
    const names = readdirSync(this.dir)
      .filter((n) => SEGMENT_RE.test(n))
      .sort();
    for (const name of names) {
      const records = this.readSegment(name, true);
      if (records.length === 0) {
        rmSync(join(this.dir, name), { force: true });
        continue;
      }
      // A batch's positions count unless a later batch's were kept in the state (a segment dropped
      // for room may be newer than one kept because it was in flight).
      for (const r of records) for (const [key, value] of Object.entries(r.pos)) if (r.seq > (this.state.posSeq[key] ?? 0)) this.positions[key] = value;
      const segment: Segment = { name, first: records[0]!.seq, last: records.at(-1)!.seq, bytes: statSync(join(this.dir, name)).size, pos: {}, posSeq: {} };
      for (const r of records) notePositions(segment, r);
      this.segments.push(segment);
      this.state.lastSeq = Math.max(this.state.lastSeq, segment.last);
    }
    this.removeAcked();
  }

  /** The records of one segment; `repair` cuts an incomplete last line (a kill mid-write). */
  private readSegment(name: string, repair = false): SpoolRecord[] {
    const path = join(this.dir, name);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return [];
    }
    const records: SpoolRecord[] = [];
    let good = 0;
    let start = 0;
    for (;;) {
      const end = text.indexOf("\n", start);
      if (end < 0) break;
      try {
        records.push(JSON.parse(text.slice(start, end)) as SpoolRecord);
        good = Buffer.byteLength(text.slice(0, end + 1));
      } catch {
        break;
      }
      start = end + 1;
    }
    if (repair && good < Buffer.byteLength(text)) {
      const fd = openSync(path, "r+");
      try {
        ftruncateSync(fd, good);
      } finally {
        closeSync(fd);
      }
    }
    return records;
  }

  private forgetOldest(): void {
    this.memory.shift();
    this.memoryBytes -= this.memorySizes.shift() ?? 0;
  }

  /** Moves a segment's positions into the state (the segment is about to go). */
  private keep(segment: Segment): void {
    for (const [key, value] of Object.entries(segment.pos)) {
      const seq = segment.posSeq[key] ?? 0;
      if (seq < (this.state.posSeq[key] ?? 0)) continue;
      this.state.pos[key] = value;
      this.state.posSeq[key] = seq;
    }
  }

  /** Batches up to `seq` are on their way to the control plane (0: none). */
  sending(seq: number): void {
    this.inFlight = seq;
  }

  private saveState(): void {
    const tmp = `${this.statePath()}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state), { mode: 0o600 });
    renameSync(tmp, this.statePath());
  }

  /** Writes one batch; returns its sequence number. Drops the oldest segments when over size. */
  append(lines: WireLogLine[], pos: SpoolPositions): number {
    const seq = this.state.lastSeq + 1;
    this.write({ seq, lines, pos });
    this.makeRoom();
    return seq;
  }

  private write(record: SpoolRecord): void {
    let current = this.segments.at(-1);
    if (!current || current.bytes >= this.segmentBytes || this.fd === null) {
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
      if (!current || current.bytes >= this.segmentBytes) {
        current = { name: `seg-${String(record.seq).padStart(12, "0")}.jsonl`, first: record.seq, last: record.seq - 1, bytes: 0, pos: {}, posSeq: {} };
        this.segments.push(current);
      }
      this.fd = openSync(join(this.dir, current.name), "a", 0o600);
      current.bytes = fstatSync(this.fd).size;
    }
    const data = Buffer.from(`${JSON.stringify(record)}\n`, "utf8");
    writeSync(this.fd, data);
    current.bytes += data.length;
    current.last = record.seq;
    notePositions(current, record);
    this.state.lastSeq = record.seq;
    mergePositions(this.positions, record.pos);
    this.memory.push(record);
    this.memorySizes.push(data.length);
    this.memoryBytes += data.length;
    while (this.memoryBytes > LogSpool.MEMORY_BYTES && this.memory.length > 1) this.forgetOldest();
  }

  private makeRoom(): void {
    if (this.bytes <= this.options.maxBytes || this.segments.length < 2) return;
    const lost = new Map<string, { like: WireLogLine; count: number }>();
    let total = 0;
    for (;;) {
      if (this.bytes <= this.options.maxBytes) break;
      // The oldest segment that is not the one written to and holds no batch in flight (a batch
      // being committed right now must not be counted as dropped as well).
      const index = this.segments.findIndex((s, i) => i < this.segments.length - 1 && s.first > this.inFlight);
      if (index < 0) break;
      const [oldest] = this.segments.splice(index, 1) as [Segment];
      const records = this.readSegment(oldest.name);
      this.keep(oldest);
      for (const r of records) {
        if (r.seq <= this.state.acked) continue;
        for (const line of r.lines) {
          const key = "c" in line ? `c:${line.c}` : `h:${line.h}`;
          const entry = lost.get(key) ?? { like: line, count: 0 };
          entry.count += line.d ?? 1;
          total += line.d ?? 1;
          lost.set(key, entry);
        }
      }
      this.state.lastSeq = Math.max(this.state.lastSeq, oldest.last);
      rmSync(join(this.dir, oldest.name), { force: true });
    }
    const keptSegments = this.segments;
    const keep = this.memory.map((r) => keptSegments.some((seg) => r.seq >= seg.first && r.seq <= seg.last));
    this.memory = this.memory.filter((_, i) => keep[i]);
    this.memorySizes = this.memorySizes.filter((_, i) => keep[i]);
    this.memoryBytes = this.memorySizes.reduce((n, b) => n + b, 0);
    this.state.dropped += total;
    this.saveState();
    if (total === 0) return;
    this.options.onDrop?.(total);
    const now = this.options.now?.() ?? new Date();
    this.write({ seq: this.state.lastSeq + 1, lines: [...lost.values()].map((l) => markerLine(l.like, l.count, this.options.maxBytes, now)), pos: {} });
  }

  /** The control plane committed every batch up to `seq`: their segments go. */
  ack(seq: number): void {
    if (seq <= this.state.acked) return;
    this.state.acked = Math.min(seq, this.state.lastSeq);
    while (this.memory.length > 0 && this.memory[0]!.seq <= this.state.acked) this.forgetOldest();
    this.removeAcked();
  }

  /**
   * The control plane's committed sequence number on (re)connecting: a spool whose state was lost
   * (or a fresh one on an agent that shipped before) continues above it, so its batches are not
   * taken for duplicates.
   */
  resume(committed: number): void {
    if (committed > this.state.lastSeq) {
      this.state.lastSeq = committed;
      this.state.acked = committed;
      this.saveState();
      return;
    }
    this.ack(committed);
  }

  private removeAcked(): void {
    let changed = false;
    while (this.segments.length > 0 && this.segments[0]!.last <= this.state.acked && (this.segments.length > 1 || this.fd === null)) {
      const done = this.segments.shift()!;
      this.keep(done);
      this.saveStateSafely();
      rmSync(join(this.dir, done.name), { force: true });
      changed = true;
    }
    if (!changed && this.segments.length === 1 && this.segments[0]!.last <= this.state.acked && this.fd !== null) {
      // The current segment is fully acknowledged: close it so it can go, the next batch opens a new one.
      const only = this.segments[0]!;
      if (only.bytes >= this.segmentBytes / 2) {
        closeSync(this.fd);
        this.fd = null;
        this.segments.shift();
        this.keep(only);
        this.saveStateSafely();
        rmSync(join(this.dir, only.name), { force: true });
      }
    }
  }

  private saveStateSafely(): void {
    try {
      this.saveState();
    } catch {
      // The data directory went away; the next ack tries again.
    }
  }

  /** Up to `max` records with a sequence number above `after`, oldest first (memory, else disk). */
  read(after: number, max: number): SpoolRecord[] {
    if (this.memory.length > 0 && this.memory[0]!.seq <= after + 1) {
      const out: SpoolRecord[] = [];
      for (const r of this.memory) {
        if (r.seq <= after) continue;
        out.push(r);
        if (out.length >= max) break;
      }
      return out;
    }
    for (const segment of this.segments) {
      if (segment.last <= after) continue;
      const out = this.readSegment(segment.name).filter((r) => r.seq > after);
      if (out.length > 0) return out.slice(0, max);
    }
    return [];
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.saveStateSafely();
  }

  /** Whether a spool directory exists (tests). */
  static exists(dir: string): boolean {
    return existsSync(join(dir, "state.json"));
  }
}
