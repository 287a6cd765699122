import { Form, Link, useFetcher } from "@remix-run/react";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { SelectField } from "~/components/ui/select-field";
import { Badge } from "~/components/ui/badge";
import { BUTTON } from "~/components/ui/button-classes";
import { Time } from "~/components/ui/time";
import { LoadMoreRow } from "~/components/ui/load-more-row";

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
  deliveries: {
    channelId: string;
    kind: string;
    ok: boolean;
    error: string | null;
    attempts: number;
  }[];
}

export interface HistoryFilterValues {
  ruleId: string;
  state: string;
  acknowledged: string;
  q: string;
  from: string;
  to: string;
}

/** The history filters, a GET form: the filters live in the URL (shareable, back button works). */
export function HistoryFilter({
  values,
  errors,
  rules,
  pending,
}: {
  values: HistoryFilterValues;
  errors: Record<string, string>;
  rules: { id: string; name: string }[];
  pending: boolean;
}) {
  const active = Object.values(values).some(Boolean);
  return (
    <Form method="get" className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-3" aria-label="Filter history">
      <input type="hidden" name="tab" value="history" />
      <SelectField
        label="Rule"
        name="ruleId"
        defaultValue={values.ruleId}
        error={errors.ruleId}
        options={[{ value: "", label: "All rules" }, ...rules.map((r) => ({ value: r.id, label: r.name }))]}
      />
      <SelectField
        label="State"
        name="state"
        defaultValue={values.state}
        error={errors.state}
        options={[
          { value: "", label: "Firing and resolved" },
          { value: "firing", label: "Firing" },
          { value: "resolved", label: "Resolved" },
        ]}
      />
      <SelectField
        label="Acknowledged"
        name="acknowledged"
        defaultValue={values.acknowledged}
        error={errors.acknowledged}
        options={[
          { value: "", label: "Either" },
          { value: "false", label: "Not acknowledged" },
          { value: "true", label: "Acknowledged" },
        ]}
      />
      <Field label="Search" name="q" required={false} defaultValue={values.q} error={errors.q} hint="Container, domain, rule or message" />
      <Field label="Fired from (UTC)" name="from" type="date" required={false} defaultValue={values.from} error={errors.from} />
      <Field label="Fired until (UTC)" name="to" type="date" required={false} defaultValue={values.to} error={errors.to} />
      <div className="flex flex-wrap items-center gap-3 sm:col-span-2 lg:col-span-3">
        <SubmitButton pending={pending}>Apply filters</SubmitButton>
        {active ? (
          <Link to="?tab=history" className="text-sm text-brand-600 hover:underline dark:text-brand-300">
            Clear filters
          </Link>
        ) : null}
      </div>
      <div className="sm:col-span-2 lg:col-span-3">
        <FormError message={errors._ ?? errors.cursor} />
      </div>
    </Form>
  );
}

const COLUMNS = 5;

export function HistoryTable({
  items,
  nextCursor,
  search,
  channelNames,
  canManage,
}: {
  items: HistoryRow[];
  nextCursor: string | null;
  search: string;
  channelNames: Record<string, string>;
  canManage: boolean;
}) {
  return (
    <table className="block w-full text-sm md:table">
      <thead className="hidden border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500 md:table-header-group dark:border-slate-800 dark:text-slate-400">
        <tr>
          <th className="py-2 pr-3 font-medium">Alert</th>
          <th className="py-2 pr-3 font-medium">State</th>
          <th className="py-2 pr-3 font-medium">Fired</th>
          <th className="py-2 pr-3 font-medium">Delivered</th>
          <th className="py-2 font-medium" />
        </tr>
      </thead>
      <tbody key={search} className="block divide-y divide-slate-200 md:table-row-group dark:divide-slate-800">
        <HistoryRows items={items} nextCursor={nextCursor} search={search} channelNames={channelNames} canManage={canManage} />
      </tbody>
    </table>
  );
}

/** One page of rows; the last renders the next page's "Load more" (keyset cursor), so pages chain. */
function HistoryRows({
  items,
  nextCursor,
  search,
  channelNames,
  canManage,
}: {
  items: HistoryRow[];
  nextCursor: string | null;
  search: string;
  channelNames: Record<string, string>;
  canManage: boolean;
}) {
  return (
    <>
      {items.map((a) => (
        <tr key={a.id} data-testid="alert-row" data-target={a.target} className="flex flex-col gap-1 py-3 md:table-row">
          <td className="md:py-3 md:pr-3">
            <p className="font-medium">
              {a.ruleName} · {a.target}
            </p>
            <p className="text-slate-500 dark:text-slate-400">{a.message}</p>
          </td>
          <td className="md:py-3 md:pr-3">
            {a.state === "firing" ? <Badge tone="bad">Firing</Badge> : <Badge tone="good">Resolved</Badge>}
            {a.acknowledgedAt ? (
              <span className="ml-1">
                <Badge tone="muted">Acknowledged</Badge>
              </span>
            ) : null}
          </td>
          <td className="md:py-3 md:pr-3">
            <Time iso={a.firedAt} seconds />
            {a.resolvedAt ? (
              <p className="text-xs text-slate-500 dark:text-slate-400">
                resolved <Time iso={a.resolvedAt} seconds />
              </p>
            ) : null}
          </td>
          <td className="md:py-3 md:pr-3">
            {a.suppressed ? <span className="text-slate-500 dark:text-slate-400">Not sent ({a.suppressed})</span> : null}
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
      {nextCursor ? <LoadMore cursor={nextCursor} search={search} channelNames={channelNames} canManage={canManage} /> : null}
    </>
  );
}

function LoadMore({ cursor, search, channelNames, canManage }: { cursor: string; search: string; channelNames: Record<string, string>; canManage: boolean }) {
  const fetcher = useFetcher<{
    history: HistoryRow[];
    nextCursor: string | null;
  }>();
  if (fetcher.data?.history)
    return <HistoryRows items={fetcher.data.history} nextCursor={fetcher.data.nextCursor} search={search} channelNames={channelNames} canManage={canManage} />;
  const params = new URLSearchParams(search);
  params.set("tab", "history");
  params.set("cursor", cursor);
  const href = `/alerts?${params}`;
  return <LoadMoreRow href={href} colSpan={COLUMNS} busy={fetcher.state !== "idle"} onLoad={fetcher.load} stacked />;
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
