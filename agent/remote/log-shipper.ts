// The node's log shipping (docs/decisions/135-agent-log-spool.md): follows the logs of every
// running container of its engine and, with NGINX_MODE=local, its nginx's per-host access and
// error logs; writes them as numbered batches into the on-disk spool (log-spool.ts) and sends the
// spool's batches, in order, on the control plane connection (`logs:batch`, acked once committed).
// A follow resumes from the position recorded with the newest batch it wrote, skipping the lines
// at or before it, so restarting the agent neither loses nor repeats lines; the control plane
// drops a batch whose sequence number it already committed, so a resend after a lost ack is not
// stored twice.
import type { ProxyLogFollower, ProxyLogSource } from "../nginx/log-source";
import type { ProxyLogOffsets } from "../nginx/log-tail";
import type { Agent, ContainerSummary, LogEntry } from "../types";
import { LogSpool, type ContainerPosition, type SpoolPositions, type WireLogLine } from "./log-spool";
import { LOG_BATCH_TIMEOUT_MS, LOG_BATCHES_IN_FLIGHT, type LogBatchAck, type LogResumeAck } from "./protocol";

/** The part of a Socket.IO client socket the shipper uses. */
export interface ShipSocket {
  readonly connected: boolean;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
}

export interface LogShipperOptions {
  agent: Agent;
  spoolDir: string;
  spoolMaxBytes: number;
  /** The node's nginx logs (NGINX_MODE=local), or null. */
  proxyLogs?: ProxyLogSource | null;
  /** Longest a line waits before its batch is written to the spool. */
  flushMs?: number;
  /** Lines per batch at most. */
  maxLines?: number;
  log: (level: "info" | "warn" | "error", message: string, details?: Record<string, unknown>) => void;
}

const START_ACTIONS = new Set(["start", "restart", "unpause"]);

/** Pure: Docker's RFC 3339 nano time (trailing zeros trimmed) → UTC ISO with exactly 9 fraction digits, so strings order as times. */
export function nanoIso(time: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (!match) return new Date(Number.isNaN(Date.parse(time)) ? Date.now() : Date.parse(time)).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
  const fraction = (match[2] ?? "").padEnd(9, "0").slice(0, 9);
  if (match[3] === "Z") return `${match[1]}.${fraction}Z`;
  return `${new Date(`${match[1]}${match[3]}`).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** Pure: whether a line at `time` with `message` was shipped before (consumes one match at the exact time). */
export function alreadyShipped(resume: ContainerPosition | null, time: string, message: string): boolean {
  if (!resume) return false;
  if (time < resume.t) return true;
  if (time > resume.t) return false;
  const left = resume.m[message] ?? 0;
  if (left === 0) return false;
  resume.m[message] = left - 1;
  return true;
}

export class LogShipper {
  readonly spool: LogSpool;
  private readonly controller = new AbortController();
  private readonly follows = new Map<string, AbortController>();
  private lines: WireLogLine[] = [];
  private lineBytes = 0;
  private pos: SpoolPositions = {};
  private timer: NodeJS.Timeout | null = null;
  private proxy: ProxyLogFollower | null = null;
  private socket: ShipSocket | null = null;
  private sending = false;
  private wakeSender: (() => void) | null = null;
  /** Resolves when the current connection is gone (or replaced). */
  private gone: { promise: Promise<null>; resolve: (v: null) => void } | null = null;
  /** The highest sequence number sent on the current connection. */
  private sent = 0;
  private readonly flushMs: number;
  private readonly maxLines: number;
  private tasks: Promise<void>[] = [];

  constructor(private readonly options: LogShipperOptions) {
    this.spool = new LogSpool({
      dir: options.spoolDir,
      maxBytes: options.spoolMaxBytes,
      onDrop: (n) => options.log("warn", "log spool full: dropped the oldest lines", { lines: n, spoolBytes: options.spoolMaxBytes }),
    });
    this.flushMs = options.flushMs ?? 100;
    this.maxLines = options.maxLines ?? 2_000;
  }

  /** Starts following the engine's containers and the nginx logs. */
  start(): void {
    this.tasks.push(this.watch());
    if (this.options.proxyLogs) {
      const stored = this.spool.position("proxy") as ProxyLogOffsets | undefined;
      if (!stored) this.spool.append([], { proxy: {} });
      this.proxy = this.options.proxyLogs.follow({
        offsets: stored,
        startAtEnd: !stored,
        pollMs: 500,
        onError: (error) => this.options.log("warn", "nginx log tail failed", { error: String(error) }),
        onBatch: async (records, offsets) => {
          for (const r of records) this.add({ h: r.hostId, k: r.kind, t: r.time.replace(/\.(\d{6})Z$/, ".$1000Z"), m: r.line });
          this.pos.proxy = offsets;
          this.flush();
        },
      });
    }
  }

  async stop(): Promise<void> {
    this.controller.abort();
    for (const f of this.follows.values()) f.abort();
    await this.proxy?.stop();
    await Promise.allSettled(this.tasks);
    this.flush();
    this.socket = null;
    this.wakeSender?.();
    this.spool.close();
  }

  // ── reading ──

  private add(line: WireLogLine): void {
    this.lines.push(line);
    this.lineBytes += line.m.length + 120;
    if (this.lines.length >= this.maxLines || this.lineBytes >= this.spool.maxRecordBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Writes the lines gathered so far as one batch. */
  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.lines.length === 0 && Object.keys(this.pos).length === 0) return;
    const lines = this.lines;
    const pos = this.pos;
    this.lines = [];
    this.lineBytes = 0;
    this.pos = {};
    this.spool.append(lines, pos);
    this.wakeSender?.();
  }

  private follow(container: Pick<ContainerSummary, "id" | "name" | "stack" | "createdAt">): void {
    if (this.controller.signal.aborted || this.follows.has(container.id)) return;
    const abort = new AbortController();
    this.follows.set(container.id, abort);
    this.followOne(container, abort.signal)
      .catch((error) => {
        if (!abort.signal.aborted) this.options.log("warn", "container log follow ended with an error", { containerId: container.id, error: String(error) });
      })
      .finally(() => {
        if (this.follows.get(container.id) === abort) this.follows.delete(container.id);
      });
  }

  private async followOne(container: Pick<ContainerSummary, "id" | "name" | "stack" | "createdAt">, signal: AbortSignal): Promise<void> {
    const key = `c:${container.id}`;
    const known = (this.pos[key] ?? this.spool.position(key)) as ContainerPosition | undefined;
    const resume: ContainerPosition | null = known ? { t: known.t, m: { ...known.m } } : null;
    // A container met for the first time: everything it wrote since it was created.
    const since = resume ? resume.t : container.createdAt || new Date(0).toISOString();
    const name = container.name.replace(/^\//, "");
    let last: ContainerPosition | null = known ? { t: known.t, m: { ...known.m } } : null;
    for await (const batch of this.options.agent.logs(container.id, { follow: true, since, timestamps: true }, signal)) {
      for (const entry of batch as LogEntry[]) {
        const t = nanoIso(entry.time ?? new Date().toISOString());
        if (alreadyShipped(resume, t, entry.message)) continue;
        if (!last || t > last.t) last = { t, m: {} };
        if (t === last.t) last.m[entry.message] = (last.m[entry.message] ?? 0) + 1;
        this.pos[key] = { t: last.t, m: { ...last.m } };
        this.add({ c: container.id, n: name, s: container.stack, t, o: entry.stream, m: entry.message });
      }
    }
  }

  private async watch(): Promise<void> {
    let backoff = 500;
    const signal = this.controller.signal;
    while (!signal.aborted) {
      try {
        const events = this.options.agent.events(signal)[Symbol.asyncIterator]();
        const first = events.next();
        first.catch(() => {});
        for (const c of await this.options.agent.listContainers()) if (c.state === "running") this.follow(c);
        backoff = 500;
        for (let next = await first; !next.done; next = await events.next()) {
          const event = next.value;
          if (START_ACTIONS.has(event.action)) {
            const found = (await this.options.agent.listContainers({ all: true }).catch(() => [])).find((c) => c.id === event.id);
            this.follow(found ?? { id: event.id, name: event.name ?? event.id.slice(0, 12), stack: event.stack, createdAt: event.time });
          } else if (event.action === "destroy") this.follows.get(event.id)?.abort();
        }
      } catch (error) {
        if (signal.aborted) return;
        this.options.log("warn", "container events unavailable; retrying", { error: String(error) });
      }
      if (signal.aborted) return;
      await new Promise((r) => setTimeout(r, backoff).unref());
      backoff = Math.min(backoff * 2, 10_000);
    }
  }

  // ── sending ──

  /** An authenticated connection: ask what the control plane committed, then send the rest in order. */
  connected(socket: ShipSocket): void {
    this.gone?.resolve(null);
    let resolve!: (v: null) => void;
    this.gone = { promise: new Promise<null>((r) => (resolve = r)), resolve };
    this.socket = socket;
    if (!this.sending) void this.send(socket);
  }

  disconnected(): void {
    this.socket = null;
    this.gone?.resolve(null);
    this.wakeSender?.();
  }

  private async send(socket: ShipSocket): Promise<void> {
    this.sending = true;
    const gone = this.gone?.promise ?? Promise.resolve(null);
    try {
      const resume = (await socket
        .timeout(LOG_BATCH_TIMEOUT_MS)
        .emitWithAck("logs:resume", {})
        .catch(() => null)) as LogResumeAck | null;
      if (!resume?.ok || this.socket !== socket) return;
      this.spool.resume(resume.seq);
      this.sent = this.spool.acked;
      this.spool.sending(this.sent);
      const inflight = new Map<number, Promise<LogBatchAck | null>>();
      while (this.socket === socket && socket.connected) {
        while (inflight.size < LOG_BATCHES_IN_FLIGHT) {
          const [record] = this.spool.read(this.sent, 1);
          if (!record) break;
          this.sent = record.seq;
          this.spool.sending(this.sent);
          inflight.set(
            record.seq,
            (socket.timeout(LOG_BATCH_TIMEOUT_MS).emitWithAck("logs:batch", record) as Promise<LogBatchAck>).catch(() => null),
          );
        }
        if (inflight.size === 0) {
          await new Promise<void>((resolve) => (this.wakeSender = resolve));
          this.wakeSender = null;
          continue;
        }
        const [seq, pending] = inflight.entries().next().value as [number, Promise<LogBatchAck | null>];
        const answer = await Promise.race([pending, gone]);
        if (this.socket !== socket) break;
        inflight.delete(seq);
        if (!answer?.ok) {
          // Not committed (database away, timeout): everything from here is sent again later.
          this.options.log("warn", "log batch not acknowledged; sending it again", { seq, error: answer && !answer.ok ? answer.error : "no answer" });
          await Promise.allSettled(inflight.values());
          inflight.clear();
          this.sent = this.spool.acked;
          await new Promise((r) => setTimeout(r, 1_000).unref());
          continue;
        }
        this.spool.ack(answer.seq);
      }
    } finally {
      this.sending = false;
      // A newer connection arrived while this one was winding down.
      if (this.socket && this.socket !== socket) void this.send(this.socket);
    }
  }
}
