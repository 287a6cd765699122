// Reading persisted logs: filters → one SQL statement, newest first, keyset-paginated on
// ("time", "id") so a year-long range costs one index walk per page, never an OFFSET; the
// export streams the same query page by page (bounded memory).
import { assertPermission, type Actor } from "../auth/require.server";
import { appPool, withOrgClient, type Queryable } from "../db/pg-pool.server";
import { ServiceUnavailableError, ValidationError } from "../errors.server";
import type { LogLevel } from "./level";

export interface LogFilters {
  agentId?: string;
  containerId?: string[];
  stack?: string;
  proxyHostId?: string;
  level?: LogLevel[];
  q?: string;
  regex?: boolean;
  from?: Date;
  to?: Date;
}

export interface StoredLogLine {
  id: string;
  time: string;
  source: { agentId: string | null; containerId: string | null; containerName: string | null } | { proxyHostId: string };
  stream: "stdout" | "stderr" | "access" | "error";
  level: LogLevel;
  message: string;
  stack: string | null;
}

export interface LogPage {
  items: StoredLogLine[];
  nextCursor: string | null;
}

type Row = {
  id: string;
  time: string;
  agentId: string | null;
  containerId: string | null;
  containerName: string | null;
  stack: string | null;
  proxyHostId: string | null;
  stream: StoredLogLine["stream"];
  level: LogLevel;
  message: string;
};

/**
 * Every read goes through `log_line_search()` (migration 20261125200000_log_search_function), a
 * SECURITY DEFINER function that takes the organization only from `app.org_id` (set by
 * `withOrgClient`) and applies it as an explicit condition. Under row-level security `ILIKE` and
 * `~*` (not LEAKPROOF) could never use the trigram index for the app role; inside the function
 * they can. Filters travel as bound parameters, never as SQL text.
 */
const SEARCH_SQL = `SELECT s."id"::text AS "id", to_char(s."time" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "time",
  s."agentId", s."containerId", s."containerName", s."stack", s."proxyHostId", s."stream", s."level", s."message"
  FROM log_line_search($1, $2::text[], $3, $4, $5::text[], $6, $7, $8::timestamptz, $9::timestamptz, $10::timestamptz, $11::timestamptz, $12::bigint, $13::int) s
  ORDER BY s."time" DESC, s."id" DESC`;

/** How many lines match `filters` (at most `cap`): the same search function, counted. */
export const COUNT_SQL = `SELECT count(*)::text AS n
  FROM log_line_search($1, $2::text[], $3, $4, $5::text[], $6, $7, $8::timestamptz, $9::timestamptz, $10::timestamptz, $11::timestamptz, $12::bigint, $13::int)`;

/** Search and listing give up after this long instead of holding a connection (regex on a year). */
const STATEMENT_TIMEOUT_MS = 20_000;

export function encodeCursor(time: string, id: string): string {
  return Buffer.from(`${time}|${id}`).toString("base64url");
}

export function decodeCursor(cursor: string): { time: string; id: string } {
  const [time, id] = Buffer.from(cursor, "base64url").toString().split("|");
  // Exactly what encodeCursor wrote (an ISO time in UTC and a bigint id), so that nothing else
  // reaches Postgres as a timestamptz or bigint.
  const validTime = !!time && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(time) && !Number.isNaN(Date.parse(time));
  if (!validTime || !id || !/^\d{1,19}$/.test(id) || BigInt(id) > 9_223_372_036_854_775_807n) {
    throw new ValidationError("The cursor is not valid.", { cursor: "Use the nextCursor of the previous page." });
  }
  return { time, id };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Checks a user's regex before Postgres sees it (Postgres' own errors are caught too). */
export function assertValidRegex(pattern: string): void {
  try {
    new RegExp(pattern);
  } catch (error) {
    throw new ValidationError(`The regular expression is not valid: ${(error as Error).message}`, { q: "Not a valid regular expression." });
  }
}

/**
 * The 13 positional arguments of `log_line_search` for these filters, the keyset cursor and an
 * optional extra window [lower, upper) (ms since the epoch), in the order of `SEARCH_SQL`.
 */
export function searchArgs(filters: LogFilters, limit: number, cursor?: { time: string; id: string }, window: { lower?: number | null; upper?: number | null } = {}): unknown[] {
  let like: string | null = null;
  let regex: string | null = null;
  if (filters.q) {
    if (filters.regex) {
      assertValidRegex(filters.q);
      regex = filters.q;
    } else {
      like = `%${escapeLike(filters.q)}%`;
    }
  }
  // "time" >= max(from, window lower); "time" <= to; "time" < window upper.
  const lowerMs = Math.max(filters.from?.getTime() ?? -Infinity, window.lower ?? -Infinity);
  return [
    filters.agentId || null,
    filters.containerId?.length ? filters.containerId : null,
    filters.stack || null,
    filters.proxyHostId || null,
    filters.level?.length ? filters.level : null,
    like,
    regex,
    Number.isFinite(lowerMs) ? new Date(lowerMs).toISOString() : null,
    filters.to ? filters.to.toISOString() : null,
    window.upper != null ? new Date(window.upper).toISOString() : null,
    cursor?.time ?? null,
    cursor?.id ?? null,
    limit,
  ];
}

function toLine(row: Row): StoredLogLine {
  const source = row.proxyHostId && !row.containerId ? { proxyHostId: row.proxyHostId } : { agentId: row.agentId, containerId: row.containerId, containerName: row.containerName };
  return { id: row.id, time: row.time, source, stream: row.stream, level: row.level, message: row.message, stack: row.stack };
}

/**
 * Text searches walk back in growing time windows (the newest hour, the rest of the newest day,
 * then everything older) and stop as soon as the page is full. Postgres underestimates how many
 * lines a common term matches, so a single query would read the whole range through the trigram
 * index (or scan it) before sorting; the newest window answers a common term by itself, and a
 * rare one pays two small extra index lookups (see docs/benchmarks.md, "Log search").
 */
const SEARCH_WINDOWS_MS = [3_600_000, 86_400_000];

/** One page for an organization (no permission check: callers are verbs and tests). */
export async function queryLogPage(orgId: string, filters: LogFilters, page: { limit?: number; cursor?: string } = {}, pool: Queryable = appPool()): Promise<LogPage> {
  const limit = Math.min(Math.max(page.limit ?? 100, 1), 500);
  if (filters.from && filters.to && filters.from > filters.to) throw new ValidationError("The range ends before it starts.", { to: "Choose a time after 'from'." });
  const cursor = page.cursor ? decodeCursor(page.cursor) : undefined;
  // Validates the filters (regex) before a connection is taken.
  searchArgs(filters, limit + 1, cursor);
  // [lower, upper) bounds per window, newest first; null = unbounded.
  const windows: [number | null, number | null][] = [];
  if (filters.q) {
    const anchor = cursor ? Date.parse(cursor.time) : (filters.to?.getTime() ?? Date.now());
    const floor = filters.from?.getTime() ?? -Infinity;
    let upper: number | null = null;
    for (const span of SEARCH_WINDOWS_MS) {
      const lower = anchor - span;
      if (lower <= floor) break;
      windows.push([lower, upper]);
      upper = lower;
    }
    windows.push([null, upper]);
  } else {
    windows.push([null, null]);
  }
  const rows = await withOrgClient(
    orgId,
    async (client) => {
      await client.query(`SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
      const found: Row[] = [];
      try {
        for (const [lower, upper] of windows) {
          const want = limit + 1 - found.length;
          found.push(...(await client.query<Row>(SEARCH_SQL, searchArgs(filters, want, cursor, { lower, upper }))).rows);
          if (found.length > limit) break;
        }
      } catch (error) {
        throw translate(error);
      }
      return found;
    },
    pool,
  );
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(toLine);
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor(last.time, last.id) : null };
}

function translate(error: unknown): unknown {
  const { code, message } = error as { code?: string; message?: string };
  if (code === "2201B") return new ValidationError(`The regular expression is not valid: ${message}`, { q: "Not a valid regular expression." });
  if (code === "57014") return new ServiceUnavailableError("The search took too long. Narrow the time range or the filters.", "query_timeout");
  return error;
}

export async function listLogs(actor: Actor, filters: LogFilters, page: { limit?: number; cursor?: string }): Promise<LogPage> {
  assertPermission(actor, "read:logs");
  return queryLogPage(actor.orgId, filters, page);
}

export const CSV_COLUMNS = ["time", "agentId", "containerId", "containerName", "stack", "proxyHostId", "stream", "level", "message"] as const;

function csvCell(value: string | null | undefined): string {
  const text = value ?? "";
  // Neutralise spreadsheet formulas and quote everything that needs it.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvRow(line: StoredLogLine): string {
  const source = line.source as Partial<{ agentId: string | null; containerId: string | null; containerName: string | null; proxyHostId: string }>;
  const values: Record<(typeof CSV_COLUMNS)[number], string | null | undefined> = {
    time: line.time,
    agentId: source.agentId,
    containerId: source.containerId,
    containerName: source.containerName,
    stack: line.stack,
    proxyHostId: source.proxyHostId,
    stream: line.stream,
    level: line.level,
    message: line.message,
  };
  return CSV_COLUMNS.map((c) => csvCell(values[c])).join(",") + "\n";
}

/** The same lines as the query (newest first), streamed page by page as CSV or NDJSON. */
export async function exportLogs(actor: Actor, filters: LogFilters, format: "csv" | "ndjson", pool?: Queryable): Promise<ReadableStream<Uint8Array>> {
  assertPermission(actor, "read:logs");
  return exportStream(actor.orgId, filters, format, pool);
}

/** The first page is read before the response starts, so a bad filter is still a 400. */
export async function exportStream(orgId: string, filters: LogFilters, format: "csv" | "ndjson", pool?: Queryable, pageSize = 500): Promise<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  let next: Promise<LogPage> | null = Promise.resolve(await queryLogPage(orgId, filters, { limit: pageSize }, pool));
  let header = format === "csv" ? CSV_COLUMNS.join(",") + "\n" : "";
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const page = await next!;
        let chunk = header;
        header = "";
        for (const line of page.items) chunk += format === "csv" ? csvRow(line) : JSON.stringify(line) + "\n";
        if (chunk) controller.enqueue(encoder.encode(chunk));
        if (!page.nextCursor) {
          next = null;
          controller.close();
          return;
        }
        next = queryLogPage(orgId, filters, { limit: pageSize, cursor: page.nextCursor }, pool);
        // Surfaced by the next pull; avoid an unhandled rejection if the client went away.
        next.catch(() => {});
      },
    },
    // One page in flight at a time: a slow download pauses the queries.
    { highWaterMark: 1 },
  );
}
