// Ingestion: buffers log lines of one organization and writes them in batches, up to two batches
// in flight on two connections, each batch one multi-row INSERT … SELECT FROM unnest(arrays) with
// the day's usage upserted in the same transaction. A second method, COPY of the
// batch into a session TEMP staging table and INSERT … SELECT from it (COPY cannot go straight
// into a table with row-level security as the app role), is kept selectable and measured next to
// it by bench/log-ingest.ts; it was not faster (decision 030, "Ingestion write path").
//
// Guarantees: a line is "acknowledged" (onCommitted) only after its transaction committed, and
// batches commit in push order (a batch waits for the one before it to commit, and rolls back if
// that one failed), so what is stored is always a prefix of what was pushed. A failed batch stays
// at the head of the buffer and is retried with backoff, so a database restart loses nothing;
// while the database is away the buffer fills up to `maxBuffered` lines and then `push()` stops
// resolving, which pauses the readers (back-pressure down to the Docker stream). A batch whose
// COMMIT was sent but whose answer was lost (the database died in between) is looked up before it
// is written again: its rows carry its transaction id as xmin, so a visible row of the batch with
// that xmin means it committed (exactly once, also across a crash of the database).
import type pg from "pg";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { from as copyFrom } from "pg-copy-streams";
import { isDatabaseUnavailable } from "../errors.server";
import { logger } from "../logger.server";
import { appPool, withOrgClient, type Queryable } from "../db/pg-pool.server";
import type { LogLevel } from "./level";
import { edition } from "../edition.server";
import { logQuotaFor, type LogQuota } from "../plans/log-quota.server";

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
  /** Batches written at the same time, each on its own connection (default 2). */
  concurrency?: number;
  /**
   * Longest a batch waits, its rows inserted, for the previous batch's commit before it rolls back
   * and is retried (default 15 s). Bounds a lock queue the database cannot see: DDL on "LogLine"
   * (a new day's partition) waiting for this batch's locks, the previous batch waiting behind it.
   */
  previousCommitWaitMs?: number;
  /** How a batch is written (default DEFAULT_WRITE_METHOD, the faster one in bench/log-ingest.ts). */
  method?: WriteMethod;
  /**
   * The plan's monthly log volume (decision 095). Default: the organization's shared quota in
   * SaaS, none in Community. `null` turns it off.
   */
  quota?: LogQuota | null;
}

export type WriteMethod = "copy" | "unnest";
/** What bench/log-ingest.ts measured faster (see docs/decisions/030-log-storage.md). */
export const DEFAULT_WRITE_METHOD: WriteMethod = "unnest";
export const DEFAULT_CONCURRENCY = 2;

const INSERT_SQL = `
INSERT INTO "LogLine" ("orgId", "time", "agentId", "containerId", "containerName", "stack", "proxyHostId", "stream", "level", "message")
SELECT $1, * FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])`;

// The day's usage, counted in Node, upserted in the batch's transaction after the batch before it
// committed: the upsert locks the organization's usage row until commit, so taking it earlier
// would make the previous batch wait for this one while this one waits for it.
const USAGE_SQL = `
INSERT INTO "LogUsage" AS u ("orgId", "day", "lines", "bytes")
SELECT $1, * FROM unnest($2::date[], $3::bigint[], $4::bigint[])
ON CONFLICT ("orgId", "day") DO UPDATE SET "lines" = u."lines" + EXCLUDED."lines", "bytes" = u."bytes" + EXCLUDED."bytes"`;

const NO_PARTITION = "23514"; // check_violation: "no partition of relation … found for row"

/** Days (UTC, YYYY-MM-DD) whose partitions this process has seen exist. */
const knownDays = new Set<string>();

export async function ensurePartitions(pool: Queryable, from: string, to: string): Promise<void> {
  await pool.query("SELECT log_line_ensure_partitions($1::date, $2::date)", [from, to]);
}

// COPY path. COPY FROM is refused on a table with row-level security for a role subject to it, so
// each batch is copied into a session-local TEMP staging table (no indexes, no RLS, emptied at
// commit) and moved into "LogLine" by one INSERT … SELECT in the same transaction: the RLS
// WITH CHECK applies to every row, exactly as for the unnest INSERT.
const STAGING = "pg_temp.log_line_staging";
const CREATE_STAGING_SQL = `CREATE TEMP TABLE IF NOT EXISTS log_line_staging (
  "time" timestamptz NOT NULL, "agentId" text, "containerId" text, "containerName" text, "stack" text,
  "proxyHostId" text, "stream" text NOT NULL, "level" text NOT NULL, "message" text NOT NULL
) ON COMMIT DELETE ROWS`;
const COPY_SQL = `COPY ${STAGING} ("time", "agentId", "containerId", "containerName", "stack", "proxyHostId", "stream", "level", "message") FROM STDIN`;
const MOVE_SQL = `
INSERT INTO "LogLine" ("orgId", "time", "agentId", "containerId", "containerName", "stack", "proxyHostId", "stream", "level", "message")
SELECT $1, "time", "agentId", "containerId", "containerName", "stack", "proxyHostId", "stream", "level", "message" FROM ${STAGING}`;

/** Lines and UTF-8 bytes of the messages per UTC day (as octet_length counts them, NUL dropped). */
function usageParams(lines: StoredLogInput[]): [string[], number[], number[]] {
  const byDay = new Map<string, [number, number]>();
  for (const l of lines) {
    const day = l.time.slice(0, 10);
    const message = l.message.includes("\0") ? l.message.replaceAll("\0", "") : l.message;
    const entry = byDay.get(day) ?? [0, 0];
    entry[0]++;
    entry[1] += Buffer.byteLength(message, "utf8");
    byDay.set(day, entry);
  }
  const days = [...byDay.keys()];
  return [days, days.map((d) => byDay.get(d)![0]), days.map((d) => byDay.get(d)![1])];
}

/** Connections (pool clients) whose session already has the staging table. */
const stagingReady = new WeakSet<pg.PoolClient>();

/** One value in COPY's text format: \N for NULL; backslash, tab, newline and CR escaped; NUL dropped. */
export function copyTextValue(value: string | null): string {
  if (value === null) return "\\N";
  let v = value.includes("\0") ? value.replaceAll("\0", "") : value;
  if (/[\\\t\n\r]/.test(v)) v = v.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
  return v;
}

/** The batch as COPY text-format rows, in the staging table's column order. */
export function copyTextRows(lines: StoredLogInput[]): string {
  let out = "";
  for (const l of lines) {
    out += `${copyTextValue(l.time)}\t${copyTextValue(l.agentId)}\t${copyTextValue(l.containerId)}\t${copyTextValue(l.containerName)}\t${copyTextValue(l.stack)}\t${copyTextValue(l.proxyHostId)}\t${copyTextValue(l.stream)}\t${copyTextValue(l.level)}\t${copyTextValue(l.message)}\n`;
  }
  return out;
}

async function copyBatch(orgId: string, client: pg.PoolClient, data: Buffer): Promise<void> {
  // Created inside the batch's transaction: a rollback undoes the creation, which is why a
  // connection is only remembered once the transaction committed (insertLogBatch).
  if (!stagingReady.has(client)) await client.query(CREATE_STAGING_SQL);
  await pipeline(Readable.from([data]), client.query(copyFrom(COPY_SQL)));
  await client.query(MOVE_SQL, [orgId]);
}

function unnestParams(lines: StoredLogInput[]): (string | null)[][] {
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
  return columns;
}

/** Filled in just before a batch's COMMIT: its transaction id, to ask later whether it committed. */
export interface CommitProbe {
  xid: string | null;
}

const XID_SQL = "SELECT pg_current_xact_id()::xid::text AS xid";
// Partition pruning by "time" and the ("orgId", "time") index find the batch's first row; its
// xmin is the inserting transaction, and it is visible only if that transaction committed.
const COMMITTED_SQL = `SELECT EXISTS (SELECT 1 FROM "LogLine" WHERE "orgId" = $1 AND "time" = $2::timestamptz AND xmin = $3::xid) AS committed`;

/** Whether the batch whose first line is `first`, written by transaction `xid`, committed. */
export async function batchCommitted(orgId: string, first: StoredLogInput, xid: string, pool: Queryable = appPool()): Promise<boolean> {
  return withOrgClient(orgId, async (client) => (await client.query<{ committed: boolean }>(COMMITTED_SQL, [orgId, first.time, xid])).rows[0]?.committed === true, pool);
}

/** Writes one batch in one transaction. Creates a missing day partition (old or future lines). */
export async function insertLogBatch(
  orgId: string,
  lines: StoredLogInput[],
  pool: Queryable = appPool(),
  method: WriteMethod = DEFAULT_WRITE_METHOD,
  /**
   * Awaited after the batch's statements and before its COMMIT, in the batch's transaction (its
   * client is passed to run more statements in it); a rejection rolls it back.
   */
  beforeCommit?: (client: pg.PoolClient) => Promise<void>,
  /** Gets the transaction id once every statement ran: a failure after that may have committed. */
  probe?: CommitProbe,
): Promise<void> {
  if (lines.length === 0) return;
  const days = new Set(lines.map((l) => l.time.slice(0, 10)));
  const missing = [...days].filter((d) => !knownDays.has(d)).sort();
  if (missing.length > 0) {
    await ensurePartitions(pool, missing[0]!, missing[missing.length - 1]!);
    for (const d of missing) knownDays.add(d);
  }
  const usage = usageParams(lines);
  let write: (client: pg.PoolClient) => Promise<unknown>;
  if (method === "copy") {
    const data = Buffer.from(copyTextRows(lines), "utf8");
    write = async (client) => {
      await copyBatch(orgId, client, data);
      await beforeCommit?.(client);
      await client.query(USAGE_SQL, [orgId, ...usage]);
      if (probe) probe.xid = (await client.query<{ xid: string }>(XID_SQL)).rows[0]!.xid;
      return client;
    };
  } else {
    const columns = unnestParams(lines);
    write = async (client) => {
      await client.query(INSERT_SQL, [orgId, ...columns]);
      await beforeCommit?.(client);
      await client.query(USAGE_SQL, [orgId, ...usage]);
      if (probe) probe.xid = (await client.query<{ xid: string }>(XID_SQL)).rows[0]!.xid;
      return null;
    };
  }
  let used: unknown;
  try {
    used = await withOrgClient(orgId, write, pool);
  } catch (error) {
    // A partition dropped by retention or never created: forget what we knew and retry once.
    if ((error as { code?: string }).code !== NO_PARTITION) throw error;
    knownDays.clear();
    const sorted = [...days].sort();
    await ensurePartitions(pool, sorted[0]!, sorted[sorted.length - 1]!);
    used = await withOrgClient(orgId, write, pool);
  }
  if (used) stagingReady.add(used as pg.PoolClient);
}

function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout: the previous log batch did not commit within ${ms} ms`)), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

interface Attempt {
  batch: StoredLogInput[];
  state: "pending" | "ok" | "failed";
  error?: unknown;
  settled: Promise<void>;
  probe: CommitProbe;
}

export class LogWriter {
  /** Lines not committed yet, oldest first (the first ones may be in flight). */
  private buffer: StoredLogInput[] = [];
  private waiters: (() => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private wakers = new Set<() => void>();
  private closed = false;
  /** The head batch, failed after its COMMIT was sent: whether it committed is not known yet. */
  private uncertain: { batch: StoredLogInput[]; xid: string } | null = null;
  private readonly loop: Promise<void>;
  readonly pool: Queryable;
  readonly maxBatch: number;
  readonly flushMs: number;
  readonly maxBuffered: number;
  readonly method: WriteMethod;
  readonly concurrency: number;
  readonly previousCommitWaitMs: number;
  readonly quota: LogQuota | null;
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
    this.method = options.method ?? DEFAULT_WRITE_METHOD;
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
    this.previousCommitWaitMs = options.previousCommitWaitMs ?? 15_000;
    this.quota = options.quota !== undefined ? options.quota : edition() === "saas" ? logQuotaFor(orgId, this.pool) : null;
    this.loop = this.run();
  }

  /** Lines held in memory: waiting or being written, not committed yet. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Buffers lines; resolves once they fit (waits while the buffer is full: back-pressure). */
  async push(lines: StoredLogInput[]): Promise<void> {
    if (this.closed) throw new Error("The log writer is closed.");
    // Past the plan's monthly volume, lines are counted and not stored (a marker says so).
    if (this.quota) lines = await this.quota.admit(lines);
    if (lines.length === 0) return;
    while (this.buffer.length >= this.maxBuffered && !this.closed) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    for (const line of lines) this.buffer.push(line);
    if (this.buffer.length >= this.maxBatch) this.wakeAll();
  }

  /** Resolves when everything pushed so far is committed. */
  async drain(): Promise<void> {
    if (this.buffer.length === 0) return;
    this.wakeAll();
    await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  /** Writes what is buffered (retrying while the database is away), then stops. */
  async close(): Promise<void> {
    if (this.closed) return this.loop;
    await this.drain();
    await this.quota?.flush();
    this.closed = true;
    this.wakeAll();
    for (const w of this.waiters.splice(0)) w();
    await this.loop;
  }

  private wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /** Resolves after `ms`, on wakeAll(), or when `until` settles, whichever comes first. */
  private pause(ms: number, until?: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      const wakers = this.wakers;
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      }
      wakers.add(done);
      until?.then(done, done);
    });
  }

  /**
   * Up to `concurrency` batches are in flight, each in its own transaction on its own connection,
   * so that one batch's insert overlaps with the next one's. Commits stay in push order: a batch
   * commits only after the batch before it committed, and rolls back if that one failed. So what
   * is committed is always a prefix of what was pushed (the collector resumes after the newest
   * stored line and relies on there being no hole before it), and the head of the buffer is
   * always the oldest batch in flight. On a failure every batch in flight is retried, from the
   * head, after a backoff.
   */
  private async run(): Promise<void> {
    const inflight: Attempt[] = [];
    let taken = 0; // lines at the head of the buffer that are in flight
    let tail: Promise<void> = Promise.resolve(); // settles when the newest batch in flight committed
    let flushNow = false;
    while (!this.closed) {
      if (this.uncertain) {
        // Nothing is in flight now; the uncertain batch heads the buffer. Ask before rewriting it.
        const { batch, xid } = this.uncertain;
        let committed: boolean;
        try {
          committed = await batchCommitted(this.orgId, batch[0]!, xid, this.pool);
        } catch {
          this.failures++;
          await this.pause(this.backoffMs());
          continue;
        }
        this.uncertain = null;
        if (committed) {
          logger.info("a log batch whose commit answer was lost had committed; it is not written again", { orgId: this.orgId, lines: batch.length });
          this.buffer.splice(0, batch.length);
          this.failures = 0;
          this.committed += batch.length;
          this.options.onCommitted?.(batch);
          this.release();
        }
        continue;
      }
      const waiting = this.buffer.length - taken;
      const full = waiting >= this.maxBatch || (waiting > 0 && (this.drainWaiters.length > 0 || flushNow));
      if (inflight.length < this.concurrency && full) {
        flushNow = false;
        const batch = this.buffer.slice(taken, taken + this.maxBatch);
        taken += batch.length;
        const previous = tail;
        const attempt: Attempt = { batch, state: "pending", settled: Promise.resolve(), probe: { xid: null } };
        attempt.settled = insertLogBatch(this.orgId, batch, this.pool, this.method, () => waitAtMost(previous, this.previousCommitWaitMs), attempt.probe).then(
          () => void (attempt.state = "ok"),
          (error: unknown) => {
            attempt.state = "failed";
            attempt.error = error;
          },
        );
        tail = attempt.settled.then(() => {
          if (attempt.state !== "ok") throw new Error("an earlier log batch was not committed");
        });
        tail.catch(() => {});
        inflight.push(attempt);
        continue;
      }
      if (inflight.length === 0) {
        if (waiting === 0) {
          this.release();
          await this.pause(1_000);
        } else {
          await this.pause(this.flushMs);
          flushNow = true;
        }
        continue;
      }
      const head = inflight[0]!;
      if (head.state === "pending") {
        // The oldest batch is being written: wait for it, or for enough lines for another batch.
        await this.pause(1_000, head.settled);
        continue;
      }
      if (head.state === "ok") {
        inflight.shift();
        this.buffer.splice(0, head.batch.length);
        taken -= head.batch.length;
        if (this.failures > 0) logger.info("log ingestion resumed", { orgId: this.orgId });
        this.failures = 0;
        this.committed += head.batch.length;
        this.options.onCommitted?.(head.batch);
        this.release();
        continue;
      }
      // The head failed: the batches behind it roll back (they wait for its commit); retry all.
      await Promise.all(inflight.map((a) => a.settled));
      inflight.length = 0;
      taken = 0;
      tail = Promise.resolve();
      const { batch, error } = head;
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
      // Its COMMIT was sent (every statement ran): it may have committed with the answer lost.
      if (head.probe.xid) this.uncertain = { batch, xid: head.probe.xid };
      if (this.failures === 1) logger.warn("log batch not written; retrying", { orgId: this.orgId, buffered: this.buffer.length, error: String(error) });
      await this.pause(this.backoffMs());
    }
  }

  private backoffMs(): number {
    return Math.min(250 * 2 ** Math.min(this.failures - 1, 5), 5_000);
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
