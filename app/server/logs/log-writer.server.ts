// Ingestion: buffers log lines of one organization and writes them in batches, one multi-row
// INSERT … SELECT FROM unnest(arrays) per batch (≈ COPY speed without pg-copy-streams), with the
// day's usage counted in the same statement and transaction.
//
// Guarantees: a line is "acknowledged" (onCommitted) only after its transaction committed. A
// failed batch stays at the head of the buffer and is retried with backoff, so a database restart
// loses nothing; while the database is away the buffer fills up to `maxBuffered` lines and then
// `push()` stops resolving, which pauses the readers (back-pressure down to the Docker stream).
// A batch whose commit succeeded but whose answer was lost is retried too: at-least-once.
import type pg from "pg";
import { isDatabaseUnavailable } from "../errors.server";
import { logger } from "../logger.server";
import { appPool, withOrgClient, type Queryable } from "../db/pg-pool.server";
import type { LogLevel } from "./level";

export interface StoredLogInput {
  /** ISO-8601; sub-microsecond digits are truncated (Postgres keeps microseconds). */
  time: string;
  agentId: string | null;
  containerId: string | null;
  containerName: string | null;
  stack: string | null;
  proxyHostId: string | null;
  stream: "stdout" | "stderr" | "access" | "error";
  level: LogLevel;
  message: string;
}

export interface LogWriterOptions {
  pool?: Queryable;
  /** Lines per INSERT. */
  maxBatch?: number;
  /** Longest a line waits in the buffer before a (smaller) batch is written. */
  flushMs?: number;
  /** Lines held in memory at most; `push` waits beyond this. */
  maxBuffered?: number;
  onCommitted?: (lines: StoredLogInput[]) => void;
}

const INSERT_SQL = `
WITH input AS (
  SELECT * FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
    AS r("time", "agentId", "containerId", "containerName", "stack", "proxyHostId", "stream", "level", "message")
), inserted AS (
  INSERT INTO "LogLine" ("orgId", "time", "agentId", "containerId", "containerName", "stack", "proxyHostId", "stream", "level", "message")
  SELECT $1, "time", "agentId", "containerId", "containerName", "stack", "proxyHostId", "stream", "level", "message" FROM input
)
INSERT INTO "LogUsage" AS u ("orgId", "day", "lines", "bytes")
SELECT $1, ("time" AT TIME ZONE 'UTC')::date, count(*), sum(octet_length("message")) FROM input GROUP BY 2
ON CONFLICT ("orgId", "day") DO UPDATE SET "lines" = u."lines" + EXCLUDED."lines", "bytes" = u."bytes" + EXCLUDED."bytes"`;

const NO_PARTITION = "23514"; // check_violation: "no partition of relation … found for row"

/** Days (UTC, YYYY-MM-DD) whose partitions this process has seen exist. */
const knownDays = new Set<string>();

export async function ensurePartitions(pool: Queryable, from: string, to: string): Promise<void> {
  await pool.query("SELECT log_line_ensure_partitions($1::date, $2::date)", [from, to]);
}

/** Writes one batch in one transaction. Creates a missing day partition (old or future lines). */
export async function insertLogBatch(orgId: string, lines: StoredLogInput[], pool: Queryable = appPool()): Promise<void> {
  if (lines.length === 0) return;
  const days = new Set(lines.map((l) => l.time.slice(0, 10)));
  const missing = [...days].filter((d) => !knownDays.has(d)).sort();
  if (missing.length > 0) {
    await ensurePartitions(pool, missing[0]!, missing[missing.length - 1]!);
    for (const d of missing) knownDays.add(d);
  }
  const columns: (string | null)[][] = [[], [], [], [], [], [], [], [], []];
  for (const l of lines) {
    columns[0]!.push(l.time);
    columns[1]!.push(l.agentId);
    columns[2]!.push(l.containerId);
    columns[3]!.push(l.containerName);
    columns[4]!.push(l.stack);
    columns[5]!.push(l.proxyHostId);
    columns[6]!.push(l.stream);
    columns[7]!.push(l.level);
    // Postgres text cannot hold NUL.
    columns[8]!.push(l.message.includes("\0") ? l.message.replaceAll("\0", "") : l.message);
  }
  try {
    await withOrgClient(orgId, (client: pg.PoolClient) => client.query(INSERT_SQL, [orgId, ...columns]), pool);
  } catch (error) {
    // A partition dropped by retention or never created: forget what we knew and retry once.
    if ((error as { code?: string }).code !== NO_PARTITION) throw error;
    knownDays.clear();
    const sorted = [...days].sort();
    await ensurePartitions(pool, sorted[0]!, sorted[sorted.length - 1]!);
    await withOrgClient(orgId, (client: pg.PoolClient) => client.query(INSERT_SQL, [orgId, ...columns]), pool);
  }
}

export class LogWriter {
  private buffer: StoredLogInput[] = [];
  private waiters: (() => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  private readonly loop: Promise<void>;
  readonly pool: Queryable;
  readonly maxBatch: number;
  readonly flushMs: number;
  readonly maxBuffered: number;
  /** Lines committed so far, and consecutive failed attempts (0 when healthy). */
  committed = 0;
  failures = 0;

  constructor(
    readonly orgId: string,
    private readonly options: LogWriterOptions = {},
  ) {
    this.pool = options.pool ?? appPool();
    this.maxBatch = options.maxBatch ?? 5_000;
    this.flushMs = options.flushMs ?? 200;
    this.maxBuffered = Math.max(options.maxBuffered ?? 50_000, this.maxBatch);
    this.loop = this.run();
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** Buffers lines; resolves once they fit (waits while the buffer is full: back-pressure). */
  async push(lines: StoredLogInput[]): Promise<void> {
    if (this.closed) throw new Error("The log writer is closed.");
    while (this.buffer.length >= this.maxBuffered && !this.closed) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    for (const line of lines) this.buffer.push(line);
    if (this.buffer.length >= this.maxBatch) this.wake?.();
  }

  /** Resolves when everything pushed so far is committed. */
  async drain(): Promise<void> {
    if (this.buffer.length === 0) return;
    this.wake?.();
    await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  /** Writes what is buffered (retrying while the database is away), then stops. */
  async close(): Promise<void> {
    if (this.closed) return this.loop;
    await this.drain();
    this.closed = true;
    this.wake?.();
    for (const w of this.waiters.splice(0)) w();
    await this.loop;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (this.buffer.length < this.maxBatch && this.drainWaiters.length === 0) await this.sleep(this.buffer.length === 0 ? 1_000 : this.flushMs);
      this.wake = null;
      if (this.buffer.length === 0) {
        for (const d of this.drainWaiters.splice(0)) d();
        continue;
      }
      const batch = this.buffer.slice(0, this.maxBatch);
      try {
        await insertLogBatch(this.orgId, batch, this.pool);
      } catch (error) {
        this.failures++;
        const transient = isDatabaseUnavailable(error) || /timeout|too many clients|terminat/i.test(String((error as Error)?.message));
        if (!transient && this.failures >= 5) {
          // A batch the database keeps refusing for a reason other than being away: do not let it
          // block every later line forever.
          logger.warn("dropping a log batch the database refuses", { orgId: this.orgId, lines: batch.length, error });
          this.buffer.splice(0, batch.length);
          this.failures = 0;
          this.release();
          continue;
        }
        if (this.failures === 1) logger.warn("log batch not written; retrying", { orgId: this.orgId, buffered: this.buffer.length, error: String(error) });
        await this.sleep(Math.min(250 * 2 ** Math.min(this.failures - 1, 5), 5_000));
        continue;
      }
      if (this.failures > 0) logger.info("log ingestion resumed", { orgId: this.orgId });
      this.failures = 0;
      this.buffer.splice(0, batch.length);
      this.committed += batch.length;
      this.options.onCommitted?.(batch);
      this.release();
    }
  }

  private release(): void {
    while (this.waiters.length > 0 && this.buffer.length < this.maxBuffered) this.waiters.shift()!();
    if (this.buffer.length === 0) for (const d of this.drainWaiters.splice(0)) d();
  }
}

/** Docker's RFC 3339 nano time (trailing zeros trimmed) → ISO with exactly 6 fraction digits. */
export function toMicrosIso(time: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (!match) return new Date(time).toISOString().replace("Z", "000Z");
  const fraction = (match[2] ?? "").padEnd(6, "0").slice(0, 6);
  if (match[3] === "Z") return `${match[1]}.${fraction}Z`;
  // An offset: let Date normalise to UTC, keeping the microseconds.
  const utc = new Date(`${match[1]}${match[3]}`).toISOString().slice(0, 19);
  return `${utc}.${fraction}Z`;
}
