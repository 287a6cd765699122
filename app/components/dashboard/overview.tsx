// Pieces of the dashboard: a row of counts with their states, and recent activity as one table
// whose columns line up (the old flex rows let each entry's columns wander with its text length).
import { Badge, type BadgeTone } from "~/components/ui/badge";
import { NamedRef } from "~/components/ui/named-ref";
import { TableHead } from "~/components/ui/table-head";
import { Time } from "~/components/ui/time";
import type { ActivityRow } from "~/server/dashboard/summary.server";

export function StatLine({ items }: { items: { label: string; value: number; tone: BadgeTone }[] }) {
  return (
    <dl className="flex flex-wrap gap-x-5 gap-y-2">
      {items.map((i) => (
        <div key={i.label} className="flex flex-col" data-testid={`stat-${i.label.split(" ")[0]}`} data-value={i.value}>
          <dd className="order-1 text-2xl font-semibold tabular-nums">{i.value}</dd>
          <dt className="order-2">
            <Badge tone={i.tone}>{i.label}</Badge>
          </dt>
        </div>
      ))}
    </dl>
  );
}

export function ActivityTable({ rows }: { rows: ActivityRow[] }) {
  return (
    <table className="block w-full text-sm md:table md:table-fixed" data-testid="recent-activity">
      <colgroup className="hidden md:table-column-group">
        <col className="w-48" />
        <col className="w-56" />
        <col />
        <col />
        <col className="w-24" />
      </colgroup>
      <TableHead columns={["Time (UTC)", "Who", "Action", "Target", "Outcome"]} stackOnPhone />
      <tbody className="block divide-y divide-slate-200 md:table-row-group dark:divide-slate-800">
        {rows.map((e) => (
          <tr key={e.id} className="flex flex-col gap-1 py-2 md:table-row" data-testid="activity-row">
            <td className="md:py-2 md:pr-3 md:align-top text-slate-600 dark:text-slate-400">
              <Time iso={e.time} seconds />
            </td>
            <td className="min-w-0 md:py-2 md:pr-3 md:align-top" data-testid="activity-actor">
              {e.actorId ? <NamedRef name={e.actorName ?? e.actorEmail} id={e.actorId} kind="user" /> : (e.actorEmail ?? "system")}
            </td>
            <td className="wrap-anywhere font-mono text-xs md:py-2 md:pr-3 md:align-top">{e.action}</td>
            <td className={`min-w-0 md:table-cell md:py-2 md:pr-3 md:align-top ${e.targetType || e.targetId ? "" : "hidden"}`} data-testid="activity-target">
              {e.targetType || e.targetId ? (
                <>
                  {e.targetType ? <span className="mr-1 text-xs text-slate-600 dark:text-slate-400">{e.targetType.replace(/_/g, " ")}</span> : null}
                  <NamedRef name={e.targetName} id={e.targetId} kind={e.targetType} />
                </>
              ) : (
                <span className="text-slate-600 dark:text-slate-400">—</span>
              )}
            </td>
            <td className="md:py-2 md:align-top">
              <Badge tone={e.outcome === "success" ? "good" : e.outcome === "denied" ? "bad" : "warn"}>{e.outcome}</Badge>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
