// Follows nginx's per-host access logs (`logs/hosts/<hostId>.access.log` under the nginx prefix,
// see app/server/proxy/render.ts) and the hosts' shared error log (`logs/hosts/_shared.error.log`:
// one file, not one per host, so nginx -t and reloads open one file instead of thousands) by byte
// offset. A shared error line belongs to the host whose first server_name nginx printed in its
// `, server: <name>` field, looked up in the live tree's `server-names.json` (rendered with the
// config, so it names a new host before nginx serves it: the file is re-read when it changed,
// after the log chunk was read); lines without a `server:`, or naming no followed host, are
// skipped (they stay in the file). Still readable: `<hostId>.error.log` files of older configs.
// Everything that crosses this module's boundary is plain JSON (lines, offsets), so a RemoteAgent
// can run the same tailer next to its nginx and ship batches over RPC.
//
// - Polls the directory (no inotify: it must work on any filesystem and in containers); only
//   complete lines (ending in "\n") are emitted, a partial last line waits for the next poll.
// - Rotation (the path now names another inode, e.g. the agent's log-rotate.ts or logrotate's
//   rename + `nginx -s reopen`): the new file is followed from 0 and the old one stays open and
//   is read on every poll until it has not grown for `retireMs`, because nginx's workers reopen
//   their logs a moment after the master created the new file and may still append to the old
//   one. Truncation (size below our offset, e.g. copytruncate): restart at 0. Offsets are kept
//   for the files at their names only: lines still unread in a rotated-away file when the
//   process stops are not resumed (the window is the rotation's few seconds).
// - Where to start: a stored offset for the same inode resumes there; otherwise a file present at
//   the first poll starts at its end when `startAtEnd` (first start ever), else at 0.
// - The next poll starts only after `onBatch` resolved, so a slow sink (the log writer's
//   back-pressure) pauses reading; the offsets handed to `onBatch` are those *after* its lines,
//   for the caller to store once the lines are committed.
import { open, readdir, readFile, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

export type ProxyLogKind = "access" | "error";

export interface ProxyLogRecord {
  hostId: string;
  kind: ProxyLogKind;
  /** ISO-8601 with microseconds (UTC), from the line itself when it carries a time. */
  time: string;
  /** The raw line without its newline. */
  line: string;
}

export interface ProxyLogOffset {
  ino: number;
  offset: number;
}

/** file name (e.g. `<hostId>.access.log`) → where reading stopped. */
export type ProxyLogOffsets = Record<string, ProxyLogOffset>;

export interface ProxyLogTailOptions {
  /** The directory of the per-host logs: `<nginx prefix>/logs/hosts`. */
  dir: string;
  /** Offsets stored by a previous run. */
  offsets?: ProxyLogOffsets;
  /**
   * Files present at the first poll without a stored offset start at their end (the very first
   * start: "from now on"); otherwise, and for every file that appears later, at 0.
   */
  startAtEnd?: boolean;
  /** Which hosts to follow (e.g. one organization's); files of other hosts are never opened. */
  include?: (hostId: string) => boolean;
  /**
   * The live tree's SERVER_NAMES_FILE (`{ "<first server_name>": "<host id>" }`), which attributes
   * the shared error log's lines. Without it the shared error log is not read.
   */
  serverNamesFile?: string;
  /**
   * Called (and awaited) when a new SERVER_NAMES_FILE was read, before its lines are attributed:
   * a new tree may name hosts `include` does not know yet (the shipper re-reads its hosts).
   */
  onServerNamesChanged?: () => Promise<void>;
  onBatch: (records: ProxyLogRecord[], offsets: ProxyLogOffsets) => Promise<void>;
  pollMs?: number;
  /** Bytes read per file per poll at most (bounded memory; the rest follows next poll). */
  maxReadBytes?: number;
  /** Longest line kept; longer lines are cut (nginx's own lines stay far below). */
  maxLineBytes?: number;
  /** A rotated-away file is read until it has not grown for this long (default 2 s). */
  retireMs?: number;
  onError?: (error: unknown) => void;
}

const FILE = /^(.+)\.(access|error)\.log$/;
/** The hosts' shared error log, under the per-host log directory (render.ts writes its path). */
export const SHARED_ERROR_LOG = "_shared.error.log";
/** In the rendered tree, next to nginx.conf (app/server/proxy/render.ts writes it). */
export const SERVER_NAMES_FILE = "server-names.json";
/**
 * nginx's request context after an error message: `, client: <addr>, server: <name>, request: …`.
 * The first occurrence is nginx's own (what follows it, the request line and headers, is the
 * client's; only an upstream's text quoted in the message itself could come before it).
 */
const SERVER_FIELD = /, client: [^,\s]+, server: ([^,\s]+)(?:,|$)/;

/** The server name of a request-related nginx error line, lower case; null when it has none. */
export function serverNameOf(line: string): string | null {
  const m = SERVER_FIELD.exec(line);
  return m ? m[1]!.toLowerCase() : null;
}

interface Followed {
  name: string;
  /** "" for the shared error log: each line names its host. */
  hostId: string;
  kind: ProxyLogKind;
  handle: FileHandle;
  ino: number;
  offset: number;
}

export class ProxyLogTailer {
  private readonly files = new Map<string, Followed>();
  /** Rotated-away files still being drained: the size last seen and since when it has not changed. */
  private readonly retired: { f: Followed; size: number; quietSince: number }[] = [];
  private readonly stored: ProxyLogOffsets;
  private first = true;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private wakeWaiters: (() => void)[] = [];
  /** SERVER_NAMES_FILE as last read, and which version of it (inode, size, mtime). */
  private serverNames = new Map<string, string>();
  private serverNamesKey = "";

  constructor(private readonly options: ProxyLogTailOptions) {
    this.stored = { ...(options.offsets ?? {}) };
  }

  start(): this {
    this.schedule(0);
    return this;
  }

  /** Current offsets of every followed file (plain JSON). */
  offsets(): ProxyLogOffsets {
    const out: ProxyLogOffsets = { ...this.stored };
    for (const f of this.files.values()) out[f.name] = { ino: f.ino, offset: f.offset };
    return out;
  }

  /** Runs one poll now (tests, shutdown) and resolves when it is done. */
  async pollNow(): Promise<void> {
    if (this.running) await this.running;
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
    for (const f of this.files.values()) await f.handle.close().catch(() => undefined);
    this.files.clear();
    for (const r of this.retired.splice(0)) await r.f.handle.close().catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    this.running = this.poll()
      .catch((error) => this.options.onError?.(error))
      .finally(() => {
        this.running = null;
        for (const w of this.wakeWaiters.splice(0)) w();
      });
    await this.running;
    if (!this.timer && !this.stopped) this.schedule(this.options.pollMs ?? 500);
  }

  private async poll(): Promise<void> {
    const dir = this.options.dir;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") names = [];
      else throw error;
    }
    const first = this.first;
    this.first = false;
    const records: ProxyLogRecord[] = [];
    const present = new Set<string>();
    for (const name of names.sort()) {
      const match = FILE.exec(name);
      if (!match) continue;
      const hostId = name === SHARED_ERROR_LOG ? "" : match[1]!;
      if (!this.wanted(name, hostId)) continue;
      present.add(name);
      try {
        await this.readFile(name, hostId, match[2] as ProxyLogKind, first, records);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") this.options.onError?.(error);
      }
    }
    await this.drainRetired(records);
    // Files gone (host deleted, or no longer included): read what is left, then forget them.
    // A file renamed away (rotation, before nginx created the new one) is still linked: it is
    // drained like any rotated file, since nginx keeps appending to it until it reopens.
    for (const [name, f] of this.files) {
      if (present.has(name)) continue;
      const info = await f.handle.stat();
      if (info.nlink > 0 && FILE.test(name) && this.wanted(name, f.hostId)) {
        this.readLines(f, await this.readChunk(f, Math.max(0, info.size - f.offset)), records);
        this.retired.push({ f, size: info.size, quietSince: Date.now() });
        this.files.delete(name);
        delete this.stored[name];
        continue;
      }
      this.readLines(f, await this.readAll(f), records);
      await f.handle.close().catch(() => undefined);
      this.files.delete(name);
      delete this.stored[name];
    }
    if (records.length > 0) {
      records.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
      await this.options.onBatch(records, this.offsets());
    }
  }

  /** Whether a file is followed at all: the shared error log needs the server-name lookup. */
  private wanted(name: string, hostId: string): boolean {
    if (name === SHARED_ERROR_LOG) return this.options.serverNamesFile !== undefined;
    return !this.options.include || this.options.include(hostId);
  }

  private async readFile(name: string, hostId: string, kind: ProxyLogKind, first: boolean, records: ProxyLogRecord[]): Promise<void> {
    const path = join(this.options.dir, name);
    const info = await stat(path);
    let f = this.files.get(name);
    if (f && f.ino !== info.ino) {
      // Rotated: keep draining the old file through its descriptor (drainRetired) while the
      // new one is followed from 0.
      const size = (await f.handle.stat()).size;
      this.readLines(f, await this.readChunk(f, Math.max(0, size - f.offset)), records);
      this.retired.push({ f, size, quietSince: Date.now() });
      this.files.delete(name);
      f = undefined;
      delete this.stored[name];
    }
    if (!f) {
      const handle = await open(path, "r");
      const ino = (await handle.stat()).ino;
      const saved = this.stored[name];
      let offset: number;
      if (saved && saved.ino === ino) offset = saved.offset;
      else if (saved) offset = 0; // another inode than the stored one: rotated while we were away
      else offset = first && this.options.startAtEnd ? info.size : 0;
      f = { name, hostId, kind, handle, ino, offset };
      this.files.set(name, f);
    }
    const size = (await f.handle.stat()).size;
    if (size < f.offset) f.offset = 0; // truncated in place
    if (size === f.offset) return;
    const chunk = await this.readChunk(f, Math.min(size - f.offset, this.options.maxReadBytes ?? 4 * 1024 * 1024));
    // After the chunk: a line in it was written after the tree naming its host was live.
    if (name === SHARED_ERROR_LOG) await this.loadServerNames();
    this.readLines(f, chunk, records);
  }

  /** Re-reads SERVER_NAMES_FILE when it is another file than last time (a new tree went live). */
  private async loadServerNames(): Promise<void> {
    const file = this.options.serverNamesFile;
    if (!file) return;
    try {
      const info = await stat(file);
      const key = `${info.ino}:${info.size}:${info.mtimeMs}`;
      if (key === this.serverNamesKey) return;
      const parsed = JSON.parse(await readFile(file, "utf8")) as unknown;
      const names = new Map<string, string>();
      if (parsed && typeof parsed === "object") for (const [k, v] of Object.entries(parsed)) if (typeof v === "string") names.set(k.toLowerCase(), v);
      this.serverNames = names;
      this.serverNamesKey = key;
      await this.options.onServerNamesChanged?.();
    } catch (error) {
      // No tree yet (nothing to attribute to) or one being replaced: keep the last map.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" && !(error instanceof SyntaxError)) throw error;
    }
  }

  /** Reads what rotated-away files gained; closes each once it has been quiet for `retireMs`. */
  private async drainRetired(records: ProxyLogRecord[]): Promise<void> {
    const now = Date.now();
    for (const r of [...this.retired]) {
      const size = (await r.f.handle.stat()).size;
      if (size !== r.size) {
        r.size = size;
        r.quietSince = now;
        if (size > r.f.offset) this.readLines(r.f, await this.readChunk(r.f, size - r.f.offset), records);
        continue;
      }
      if (now - r.quietSince < (this.options.retireMs ?? 2000)) continue;
      this.readLines(r.f, await this.readAll(r.f), records);
      await r.f.handle.close().catch(() => undefined);
      this.retired.splice(this.retired.indexOf(r), 1);
    }
  }

  /** Everything from the offset to the current end (a rotated file no longer grows). */
  private async readAll(f: Followed): Promise<Buffer> {
    const size = (await f.handle.stat()).size;
    if (size <= f.offset) return Buffer.alloc(0);
    const buffer = await this.readChunk(f, size - f.offset);
    // A rotated file's last line without its newline is still a line.
    return buffer.length > 0 && buffer[buffer.length - 1] !== 0x0a ? Buffer.concat([buffer, Buffer.from("\n")]) : buffer;
  }

  private async readChunk(f: Followed, length: number): Promise<Buffer> {
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await f.handle.read(buffer, read, length - read, f.offset + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buffer.subarray(0, read);
  }

  /** Emits the complete lines of `chunk` (read at f.offset) and advances f.offset past them. */
  private readLines(f: Followed, chunk: Buffer, records: ProxyLogRecord[]): void {
    const last = chunk.lastIndexOf(0x0a);
    if (last < 0) {
      // No newline at all: a line longer than a whole read is cut rather than waited on forever.
      if (chunk.length >= (this.options.maxReadBytes ?? 4 * 1024 * 1024)) {
        this.push(f, chunk.toString("utf8"), records);
        f.offset += chunk.length;
      }
      return;
    }
    const text = chunk.subarray(0, last).toString("utf8");
    f.offset += last + 1;
    for (const line of text.split("\n")) if (line.trim() !== "") this.push(f, line, records);
  }

  private push(f: Followed, raw: string, records: ProxyLogRecord[]): void {
    const max = this.options.maxLineBytes ?? 16_384;
    const line = raw.length > max ? `${raw.slice(0, max)}…` : raw;
    let hostId = f.hostId;
    if (f.name === SHARED_ERROR_LOG) {
      const server = serverNameOf(raw);
      const found = server === null ? undefined : this.serverNames.get(server);
      if (!found || (this.options.include && !this.options.include(found))) return;
      hostId = found;
    }
    records.push({ hostId, kind: f.kind, time: lineTime(line, f.kind), line });
  }
}

/** Starts a tailer (polling) and returns it. */
export function tailProxyLogs(options: ProxyLogTailOptions): ProxyLogTailer {
  return new ProxyLogTailer(options).start();
}

const NGINX_ERROR_TIME = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \[/;

/**
 * The time a line states: `msec` (seconds.milliseconds) of the JSON access format, or the local
 * time at the head of an nginx error-log line. Falls back to now.
 */
export function lineTime(line: string, kind: ProxyLogKind): string {
  if (kind === "access" && line.startsWith("{")) {
    const msec = /"msec":"?(\d{9,}\.\d+|\d{9,})"?/.exec(line);
    if (msec) {
      const [s, frac = ""] = msec[1]!.split(".");
      const ms = Number(s) * 1000 + Number(frac.padEnd(3, "0").slice(0, 3));
      return `${new Date(ms).toISOString().slice(0, 23)}${frac.padEnd(6, "0").slice(3, 6)}Z`;
    }
  }
  const m = NGINX_ERROR_TIME.exec(line);
  if (m) {
    // nginx writes its error log in the process's local time zone (ours, on the same machine).
    const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
    if (!Number.isNaN(d.getTime())) return d.toISOString().replace("Z", "000Z");
  }
  return new Date().toISOString().replace("Z", "000Z");
}
