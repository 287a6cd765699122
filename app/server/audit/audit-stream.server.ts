// Reading an organization's audit trail in bulk (exports, verification, forwarders): one
// read-only REPEATABLE READ transaction on the app role (RLS applies), a server-side cursor
// fetched in chunks with the next chunk already requested while the caller works on the current
// one, and every column read as text (no per-row Date or type parsing in the driver). Millions of
// rows in bounded memory, one consistent snapshot, one round trip per chunk.
import { StringDecoder } from "node:string_decoder";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { appPool, type Queryable } from "../db/pg-pool.server";
import type { HashedAuditRow } from "./audit.server";

/** A stored row as bulk readers see it: `time` is the ISO text the hash was computed over. */
export interface StreamedAuditRow extends HashedAuditRow {
  /** `YYYY-MM-DDTHH:MM:SS.mmmZ`; a time edited to sub-millisecond precision keeps its 6 digits (and then matches no hash). */
  time: string;
  hash: string | null;
}

export interface AuditRowFilters {
  actor?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
}

const COLUMNS = `id::text, "orgId", time, "actorId", "actorEmail", action, "targetType", "targetId", ip, "userAgent", outcome, details::text, "prevHash", hash, "hashVersion"::text`;

/** How a value reaches SQL: a bound parameter, or (COPY takes none) a transaction-local setting. */
export type SqlValue = (value: string, type: "text" | "bigint" | "timestamptz") => string;

/** The filters as SQL: every value goes through `v` (nothing user-supplied is spliced into the text). */
export function auditFilterSql(f: AuditRowFilters, v: SqlValue): string {
  const and: string[] = [];
  const like = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
  if (f.actor) and.push(`("actorId" = ${v(f.actor, "text")} OR "actorEmail" ILIKE ${v(`%${like(f.actor)}%`, "text")})`);
  if (f.action) and.push(`action LIKE ${v(`${like(f.action)}%`, "text")}`);
  if (f.target) and.push(`("targetId" = ${v(f.target, "text")} OR "targetType" = ${v(f.target, "text")})`);
  if (f.from) and.push(`time >= ${v(f.from.toISOString(), "timestamptz")}`);
  if (f.to) and.push(`time <= ${v(f.to.toISOString(), "timestamptz")}`);
  return and.length ? ` AND ${and.join(" AND ")}` : "";
}

/**
 * PostgreSQL's timestamptz text in UTC (`2026-12-03 14:28:22.74+00`, trailing zeros of the
 * fraction dropped) as `toISOString()` writes it. A time with more than millisecond precision was
 * not written by the app (a JS Date has none): it keeps its digits, so it matches no hash.
 */
export function isoTime(text: string): string {
  if (text.length < 22 || text.length > 29 || !text.endsWith("+00") || text[10] !== " ") return text;
  const fraction = text.slice(19, -3); // "", ".7", ".749", ".749001"
  if (fraction.length > 4) return text;
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${(fraction.slice(1) + "000").slice(0, 3)}Z`;
}

const COPY_ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/** One field of COPY's text format: `\N` is NULL; backslash escapes (COPY TO writes only these) undone. */
export function copyField(text: string): string | null {
  if (text === "\\N") return null;
  if (!text.includes("\\")) return text;
  return text.replace(/\\(.)/g, (_, c: string) => COPY_ESCAPES[c] ?? c);
}

/** Pure: one line of COPY text output (the columns above, in order) as a row. */
export function copyLineToRow(line: string): StreamedAuditRow {
  const f = line.split("\t");
  if (f.length !== 15) throw new Error(`an audit row came back with ${f.length} columns, not 15`);
  const details = copyField(f[11]!);
  return {
    id: BigInt(f[0]!),
    orgId: copyField(f[1]!),
    time: isoTime(copyField(f[2]!)!),
    actorId: copyField(f[3]!),
    actorEmail: copyField(f[4]!),
    action: copyField(f[5]!)!,
    targetType: copyField(f[6]!),
    targetId: copyField(f[7]!),
    ip: copyField(f[8]!),
    userAgent: copyField(f[9]!),
    outcome: copyField(f[10]!)!,
    details: details === null ? null : JSON.parse(details),
    prevHash: copyField(f[12]!),
    hash: copyField(f[13]!),
    hashVersion: Number(f[14]),
  };
}

export interface RowsOptions {
  filters?: AuditRowFilters;
  /** Rows after this id (a forwarder's cursor, a retention bridge). */
  afterId?: bigint;
  /** Rows per yielded chunk (5,000). */
  chunk?: number;
  /** At most this many rows in all. */
  limit?: number;
}

export interface AuditSnapshot {
  /** The transaction's connection (app.org_id set), for reads that must see the same snapshot. */
  client: pg.PoolClient;
  /** The organization's rows after `afterId`, oldest first, in chunks of `chunk`. */
  rows(options?: RowsOptions): AsyncGenerator<StreamedAuditRow[]>;
  close(): Promise<void>;
}

/** Opens a read-only snapshot of one organization's trail; `close()` ends it (idempotent). */
export async function openAuditSnapshot(orgId: string, pool: Queryable = appPool()): Promise<AuditSnapshot> {
  if (!orgId) throw new Error("openAuditSnapshot needs an organization id");
  const client = await pool.connect();
  let broken = false;
  const onError = () => (broken = true);
  client.on("error", onError);
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    // Times as UTC text (isoTime turns them into ISO without a Date per row).
    await client.query("SELECT set_config('app.org_id', $1, true), set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO', true)", [orgId]);
  } catch (error) {
    client.off("error", onError);
    client.release(true);
    throw error;
  }
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (abandoned) {
      client.off("error", onError);
      client.release(true);
      return;
    }
    try {
      await client.query("COMMIT");
    } catch {
      broken = true;
    } finally {
      client.off("error", onError);
      client.release(broken ? true : undefined);
    }
  };

  let abandoned = false;

  async function* rows(options: RowsOptions = {}): AsyncGenerator<StreamedAuditRow[]> {
    const chunk = options.chunk ?? 5_000;
    // COPY is PostgreSQL's fastest way out, with the socket's backpressure pausing it while we
    // format; it takes no bound parameters, so values travel as transaction-local settings.
    const settings: string[] = [];
    const v: SqlValue = (value, type) => `current_setting('infrapilot.audit_p${settings.push(value)}')::${type}`;
    const where = `id > ${v((options.afterId ?? 0n).toString(), "bigint")}${auditFilterSql(options.filters ?? {}, v)}`;
    const limit = options.limit === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(options.limit))}`;
    const sql = `COPY (SELECT ${COLUMNS} FROM "AuditLog" WHERE ${where} ORDER BY "AuditLog".id${limit}) TO STDOUT`;
    if (settings.length > 0) {
      await client.query(`SELECT ${settings.map((_, i) => `set_config('infrapilot.audit_p${i + 1}', $${i + 1}, true)`).join(", ")}`, settings);
    }
    const stream = client.query(copyTo(sql, { highWaterMark: 2 * 1024 * 1024 })); // ~5,000 rows read ahead
    const decoder = new StringDecoder("utf8");
    let finished = false;
    let carry = "";
    let batch: StreamedAuditRow[] = [];
    try {
      for await (const buffer of stream as AsyncIterable<Buffer>) {
        const text = carry + decoder.write(buffer);
        let start = 0;
        for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
          batch.push(copyLineToRow(text.slice(start, nl)));
          start = nl + 1;
        }
        carry = text.slice(start);
        if (batch.length >= chunk) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
      finished = true;
    } finally {
      // Left early (or failed): the connection is still in COPY; it is discarded, not committed.
      if (!finished) {
        abandoned = true;
        stream.destroy();
      }
    }
  }

  return { client, rows, close };
}
