// Rows of the audit table with keyset "Load more": each loaded page renders the next page's
// button at its end, so pages chain without any client-side list bookkeeping.
import { useFetcher } from "@remix-run/react";
import { Badge } from "~/components/ui/badge";
import { Time } from "~/components/ui/time";

import type { NamedAuditEntryDto } from "~/server/audit/audit-log.server";
import { NamedRef } from "~/components/ui/named-ref";
import { LoadMoreRow } from "~/components/ui/load-more-row";

export type AuditRow = Omit<NamedAuditEntryDto, "userAgent">;

export const AUDIT_COLUMNS = ["Time", "Actor", "Action", "Target", "Outcome", "IP"];

export function AuditRows({ items, nextCursor, search, brokenAt }: { items: AuditRow[]; nextCursor: string | null; search: string; brokenAt?: string }) {
  return (
    <>
      {items.map((e) => (
        <tr
          key={e.id}
          data-testid="audit-row"
          id={`audit-${e.id}`}
          className={`flex flex-col gap-1 py-3 md:table-row ${brokenAt === e.id ? "bg-red-50 dark:bg-red-950" : ""}`}
        >
          <Cell label="Time">
            <Time iso={e.time} seconds />
          </Cell>
          <Cell label="Actor">
            {e.actorId ? (
              <span className="min-w-0" data-testid="audit-actor">
                <NamedRef name={e.actorName ?? e.actorEmail} id={e.actorId} kind="user" />
                {e.actorName && e.actorEmail ? <span className="block break-words text-xs text-slate-600 dark:text-slate-400">{e.actorEmail}</span> : null}
              </span>
            ) : (
              <span className="wrap-anywhere" data-testid="audit-actor">{e.actorEmail ?? "system"}</span>
            )}
          </Cell>
          <Cell label="Action">
            <div className="min-w-0">
              <span className="font-mono text-xs">{e.action}</span>
              <Details value={e.details} />
            </div>
          </Cell>
          <Cell label="Target">
            {e.targetType || e.targetId ? (
              <span className="min-w-0" data-testid="audit-target">
                {e.targetType ? <span className="block text-xs text-slate-600 dark:text-slate-400">{e.targetType.replace(/_/g, " ")}</span> : null}
                <NamedRef name={e.targetName} id={e.targetId} kind={e.targetType} />
              </span>
            ) : (
              "—"
            )}
          </Cell>
          <Cell label="Outcome">
            <Badge tone={e.outcome === "success" ? "good" : e.outcome === "denied" ? "bad" : "warn"}>{e.outcome}</Badge>
          </Cell>
          <Cell label="IP">
            <span className="font-mono text-xs">{e.ip ?? "—"}</span>
          </Cell>
        </tr>
      ))}
      {nextCursor ? <LoadMore cursor={nextCursor} search={search} brokenAt={brokenAt} /> : null}
    </>
  );
}

function LoadMore({ cursor, search, brokenAt }: { cursor: string; search: string; brokenAt?: string }) {
  const fetcher = useFetcher<{ items: AuditRow[]; nextCursor: string | null }>();
  if (fetcher.data?.items) return <AuditRows items={fetcher.data.items} nextCursor={fetcher.data.nextCursor} search={search} brokenAt={brokenAt} />;
  const params = new URLSearchParams(search);
  params.set("cursor", cursor);
  const href = `/audit?${params}`;
  return <LoadMoreRow href={href} colSpan={AUDIT_COLUMNS.length} busy={fetcher.state !== "idle"} onLoad={fetcher.load} stacked />;
}

function Cell({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <td className="flex items-start gap-2 md:table-cell md:py-2 md:pr-3 md:align-top">
      <span className="w-20 shrink-0 text-xs uppercase tracking-wide text-slate-500 md:hidden dark:text-slate-400">{label}</span>
      {children}
    </td>
  );
}

function Details({ value }: { value: unknown }) {
  if (!value || (typeof value === "object" && Object.keys(value).length === 0)) return null;
  return (
    <details className="mt-1">
      <summary className="cursor-pointer text-xs text-slate-500 dark:text-slate-400">details</summary>
      <pre className="mt-1 max-w-md overflow-x-auto whitespace-pre-wrap wrap-anywhere rounded bg-slate-100 p-2 text-xs dark:bg-slate-800">{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
