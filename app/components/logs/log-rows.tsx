// Rows of the persisted-log table with keyset "Load more" (like the audit table): each loaded page
// renders the next page's button at its end.
import { useFetcher } from "@remix-run/react";
import { Badge, type BadgeTone } from "~/components/ui/badge";
import type { StoredLogLine } from "~/server/logs/log-query.server";
import { LoadMoreRow } from "~/components/ui/load-more-row";

export const LEVEL_TONE: Record<StoredLogLine["level"], BadgeTone> = { error: "bad", warn: "warn", info: "good", debug: "muted", unknown: "muted" };

/** A stable colour per source, so one container's lines are recognisable in a merged list. */
const SOURCE_COLOURS = ["text-sky-700 dark:text-sky-300", "text-violet-700 dark:text-violet-300", "text-teal-700 dark:text-teal-300", "text-orange-700 dark:text-orange-300", "text-pink-700 dark:text-pink-300", "text-lime-700 dark:text-lime-300"];

/** A stored line's source as shown: a proxy host by its domain when known. */
function sourceName(line: Pick<StoredLogLine, "source">, hostNames: Record<string, string>): string {
  return "proxyHostId" in line.source ? `proxy ${hostNames[line.source.proxyHostId] ?? line.source.proxyHostId}` : (line.source.containerName ?? line.source.containerId ?? "?");
}

export function colour(name: string): string {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return SOURCE_COLOURS[h % SOURCE_COLOURS.length]!;
}

/** Marks the matches of a (case-insensitive) regular expression; an invalid one marks nothing. */
export function RegexMarked({ text, pattern }: { text: string; pattern: string }) {
  let re: RegExp;
  try {
    re = new RegExp(pattern, "gi");
  } catch {
    return <>{text}</>;
  }
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const m of text.matchAll(re)) {
    if (!m[0] || parts.length > 200) break;
    parts.push(
      text.slice(at, m.index),
      <mark key={m.index} className="rounded bg-yellow-200 px-0.5 dark:bg-yellow-700">
        {m[0]}
      </mark>,
    );
    at = m.index + m[0].length;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

/** Marks the search in a message: plain text (any case) or, with `regex`, the pattern's matches. */
export function Marked({ text, term, regex }: { text: string; term: string | null; regex?: boolean }) {
  return regex && term ? <RegexMarked text={text} pattern={term} /> : <Highlighted text={text} term={term} />;
}

/** Marks the search text in a message (plain text). */
export function Highlighted({ text, term }: { text: string; term: string | null }) {
  if (!term) return <>{text}</>;
  const parts: React.ReactNode[] = [];
  const lower = text.toLowerCase();
  const needle = term.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(needle); i >= 0 && parts.length < 200; i = lower.indexOf(needle, at)) {
    parts.push(text.slice(at, i), <mark key={i} className="rounded bg-yellow-200 px-0.5 dark:bg-yellow-700">{text.slice(i, i + needle.length)}</mark>);
    at = i + needle.length;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

interface RowsProps {
  items: StoredLogLine[];
  nextCursor: string | null;
  search: string;
  highlight: string | null;
  regex?: boolean;
  /** Proxy host id → its domains, for the source column. */
  hostNames?: Record<string, string>;
}

export function LogRows({ items, nextCursor, search, highlight, regex = false, hostNames = {} }: RowsProps) {
  return (
    <>
      {items.map((l) => (
        <tr key={l.id} data-testid="log-row" className="align-top">
          <td className="whitespace-nowrap py-1 pr-3 font-mono text-xs text-slate-500 dark:text-slate-400">{l.time.replace("T", " ").slice(0, 23)}</td>
          <td className={`max-w-[8rem] truncate py-1 pr-3 font-mono text-xs sm:max-w-[12rem] ${colour(sourceName(l, hostNames))}`} title={sourceName(l, hostNames)}>
            {sourceName(l, hostNames)}
          </td>
          <td className="py-1 pr-3">
            <Badge tone={LEVEL_TONE[l.level]}>{l.level}</Badge>
          </td>
          <td className={`whitespace-pre-wrap wrap-anywhere py-1 font-mono text-xs ${l.stream === "stderr" || l.stream === "error" ? "text-red-800 dark:text-red-300" : ""}`}>
            <Marked text={l.message} term={highlight} regex={regex} />
          </td>
        </tr>
      ))}
      {nextCursor ? <LoadMore cursor={nextCursor} search={search} highlight={highlight} regex={regex} hostNames={hostNames} /> : null}
    </>
  );
}

function LoadMore({ cursor, search, highlight, regex, hostNames }: { cursor: string } & Omit<RowsProps, "items" | "nextCursor">) {
  const fetcher = useFetcher<{ items: StoredLogLine[]; nextCursor: string | null }>();
  if (fetcher.data?.items) return <LogRows items={fetcher.data.items} nextCursor={fetcher.data.nextCursor} search={search} highlight={highlight} regex={regex} hostNames={hostNames} />;
  const params = new URLSearchParams(search);
  params.set("cursor", cursor);
  const href = `/logs?${params}`;
  return <LoadMoreRow href={href} colSpan={4} busy={fetcher.state !== "idle"} onLoad={fetcher.load} label="Load older lines" />;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
