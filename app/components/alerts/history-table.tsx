import { Form, useFetcher } from "@remix-run/react";
import { Badge } from "~/components/ui/badge";
import { BUTTON, INPUT } from "~/components/ui/button-classes";
import { Time } from "~/components/ui/time";

export interface HistoryRow {
  id: string;
  ruleName: string;
  target: string;
  state: "firing" | "resolved";
  message: string;
  suppressed: string | null;
  firedAt: string;
  resolvedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  deliveries: { channelId: string; kind: string; ok: boolean; error: string | null; attempts: number }[];
}

export function HistoryFilter({ state, q }: { state?: string; q?: string }) {
  return (
    <Form method="get" className="mb-4 flex flex-wrap items-end gap-2" aria-label="Filter history">
      <input type="hidden" name="tab" value="history" />
      <select name="state" defaultValue={state ?? ""} aria-label="State" className={INPUT}>
        <option value="">Firing and resolved</option>
        <option value="firing">Firing</option>
        <option value="resolved">Resolved</option>
      </select>
      <input name="q" defaultValue={q ?? ""} placeholder="Container, domain, rule…" aria-label="Search" className={INPUT} />
      <button type="submit" className={BUTTON.secondary}>
        Filter
      </button>
    </Form>
  );
}

export function HistoryTable({ items, channelNames, canManage }: { items: HistoryRow[]; channelNames: Record<string, string>; canManage: boolean }) {
  return (
    <table className="block w-full text-sm md:table">
      <thead className="hidden border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500 md:table-header-group dark:border-slate-800">
        <tr>
          <th className="py-2 pr-3 font-medium">Alert</th>
          <th className="py-2 pr-3 font-medium">State</th>
          <th className="py-2 pr-3 font-medium">Fired</th>
          <th className="py-2 pr-3 font-medium">Delivered</th>
          <th className="py-2 font-medium" />
        </tr>
      </thead>
      <tbody className="block divide-y divide-slate-200 md:table-row-group dark:divide-slate-800">
        {items.map((a) => (
          <tr key={a.id} data-testid="alert-row" data-target={a.target} className="flex flex-col gap-1 py-3 md:table-row">
            <td className="md:py-3 md:pr-3">
              <p className="font-medium">
                {a.ruleName} · {a.target}
              </p>
              <p className="text-slate-500">{a.message}</p>
            </td>
            <td className="md:py-3 md:pr-3">
              {a.state === "firing" ? <Badge tone="bad">Firing</Badge> : <Badge tone="good">Resolved</Badge>}
              {a.acknowledgedAt ? <span className="ml-1"><Badge tone="muted">Acknowledged</Badge></span> : null}
            </td>
            <td className="md:py-3 md:pr-3">
              <Time iso={a.firedAt} seconds />
              {a.resolvedAt ? (
                <p className="text-xs text-slate-500">
                  resolved <Time iso={a.resolvedAt} seconds />
                </p>
              ) : null}
            </td>
            <td className="md:py-3 md:pr-3">
              {a.suppressed ? <span className="text-slate-500">Not sent ({a.suppressed})</span> : null}
              {a.deliveries.map((d, i) => (
                <p key={i} title={d.error ?? undefined} className={d.ok ? "text-emerald-700 dark:text-emerald-300" : "text-red-700 dark:text-red-300"}>
                  {d.ok ? "✓" : "✗"} {channelNames[d.channelId] ?? "deleted channel"}
                  {d.kind === "resolve" ? " (resolved)" : ""}
                  {d.ok ? "" : `: ${d.error ?? "failed"}`}
                  {d.attempts > 1 ? ` – ${d.attempts} attempts` : ""}
                </p>
              ))}
            </td>
            <td className="md:py-3">{canManage && !a.acknowledgedAt ? <AckButton id={a.id} /> : null}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AckButton({ id }: { id: string }) {
  const fetcher = useFetcher();
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value="acknowledge" />
      <input type="hidden" name="id" value={id} />
      <button type="submit" className={BUTTON.secondary} disabled={fetcher.state !== "idle"}>
        Acknowledge
      </button>
    </fetcher.Form>
  );
}
