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

const SELECT = `SELECT "id"::text AS "id", to_char("time" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "time",
  "agentId", "containerId", "containerName", "stack", "proxyHostId", "stream", "level", "message" FROM "LogLine"`;

/** Search and listing give up after this long instead of holding a connection (regex on a year). */
const STATEMENT_TIMEOUT_MS = 20_000;

export function encodeCursor(time: string, id: string): string {
  return Buffer.from(`${time}|${id}`).toString("base64url");
}

export function decodeCursor(cursor: string): { time: string; id: string } {
  const [time, id] = Buffer.from(cursor, "base64url").toString().split("|");
  if (!time || !id || !/^\d+$/.test(id) || Number.isNaN(Date.parse(time))) {
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

export function buildWhere(filters: LogFilters, cursor?: { time: string; id: string }): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (value: unknown) => `$${params.push(value)}`;
  // RLS already confines rows to the organization; naming it lets the (orgId, time) index serve.
  const where = [`"orgId" = current_setting('app.org_id', true)`];
  if (filters.agentId) where.push(`"agentId" = ${p(filters.agentId)}`);
  if (filters.containerId?.length) where.push(filters.containerId.length === 1 ? `"containerId" = ${p(filters.containerId[0])}` : `"containerId" = ANY(${p(filters.containerId)}::text[])`);
  if (filters.stack) where.push(`"stack" = ${p(filters.stack)}`);
  if (filters.proxyHostId) where.push(`"proxyHostId" = ${p(filters.proxyHostId)}`);
  if (filters.level?.length) where.push(`"level" = ANY(${p(filters.level)}::text[])`);
  if (filters.q) {
    if (filters.regex) {
      assertValidRegex(filters.q);
      where.push(`"message" ~* ${p(filters.q)}`);
    } else {
      where.push(`"message" ILIKE ${p(`%${escapeLike(filters.q)}%`)}`);
    }
  }
  if (filters.from) where.push(`"time" >= ${p(filters.from.toISOString())}::timestamptz`);
  if (filters.to) where.push(`"time" <= ${p(filters.to.toISOString())}::timestamptz`);
  if (cursor) where.push(`("time", "id") < (${p(cursor.time)}::timestamptz, ${p(cursor.id)}::bigint)`);
  return { sql: where.join(" AND "), params };
}

function toLine(row: Row): StoredLogLine {
  const source = row.proxyHostId && !row.containerId ? { proxyHostId: row.proxyHostId } : { agentId: row.agentId, containerId: row.containerId, containerName: row.containerName };
  return { id: row.id, time: row.time, source, stream: row.stream, level: row.level, message: row.message, stack: row.stack };
}

/**
 * Text searches walk back in growing time windows (the newest hour, the rest of the newest day,
 * then everything older) and stop as soon as the page is full. Under RLS the trigram index
 * cannot serve `ILIKE`/`~*` for the app role (they are not leakproof, so Postgres evaluates them
 * after the policy, never as an index condition), and Postgres underestimates how many lines a
 * common term matches, so a single query scans the whole range before sorting. A common term is
 * then answered from the newest window; a rare one pays two small extra scans (see
 * docs/benchmarks.md, "Log search").
 */
const SEARCH_WINDOWS_MS = [3_600_000, 86_400_000];

/** One page for an organization (no permission check: callers are verbs and tests). */
export async function queryLogPage(orgId: string, filters: LogFilters, page: { limit?: number; cursor?: string } = {}, pool: Queryable = appPool()): Promise<LogPage> {
  const limit = Math.min(Math.max(page.limit ?? 100, 1), 500);
  if (filters.from && filters.to && filters.from > filters.to) throw new ValidationError("The range ends before it starts.", { to: "Choose a time after 'from'." });
  const cursor = page.cursor ? decodeCursor(page.cursor) : undefined;
  const { sql, params } = buildWhere(filters, cursor);
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
          const windowParams = [...params];
          const bounds: string[] = [];
          if (lower !== null) bounds.push(`"time" >= $${windowParams.push(new Date(lower).toISOString())}::timestamptz`);
          if (upper !== null) bounds.push(`"time" < $${windowParams.push(new Date(upper).toISOString())}::timestamptz`);
          const where = [sql, ...bounds].join(" AND ");
          const want = limit + 1 - found.length;
          found.push(...(await client.query<Row>(`${SELECT} WHERE ${where} ORDER BY "time" DESC, "id" DESC LIMIT ${want}`, windowParams)).rows);
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
