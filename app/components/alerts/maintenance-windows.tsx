// Maintenance windows (UTC), as the alert rule form and the monitor form edit them: any number of
// rows, each one-off (start, end) or weekly (weekdays, from, to; overnight allowed). Field names are
// `maintenance.N.*`, read back by `maintenanceFromForm` (alerts/page-actions.server.ts); errors come
// keyed by the schema's paths (`maintenance.N.end`, `maintenance.N` for the row as a whole).
import { useId, useRef, useState } from "react";
import { Field } from "~/components/ui/field";
import { BUTTON } from "~/components/ui/button-classes";
import type { MaintenanceWindow } from "~/validation/alerts";

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export type MaintenanceRowState = {
  key: number;
  kind: "once" | "weekly";
  start: string;
  end: string;
  weekdays: number[];
  from: string;
  to: string;
};

/** ISO → the `datetime-local` value of the same instant in UTC (anything else as it was typed). */
const toLocalInput = (iso: string) => (Number.isNaN(Date.parse(iso)) ? iso : new Date(iso).toISOString().slice(0, 16));

export function rowsOf(windows: unknown[]): MaintenanceRowState[] {
  return (windows as MaintenanceWindow[]).map((w, key) =>
    w && typeof w === "object" && "weekdays" in w
      ? { key, kind: "weekly", start: "", end: "", weekdays: Array.isArray(w.weekdays) ? w.weekdays : [], from: String(w.from ?? ""), to: String(w.to ?? "") }
      : { key, kind: "once", start: toLocalInput(String((w as { start?: unknown })?.start ?? "")), end: toLocalInput(String((w as { end?: unknown })?.end ?? "")), weekdays: [], from: "", to: "" }
  );
}

/**
 * The windows of a refused submission, from its echoed flat fields (`maintenance.N.kind`, …;
 * weekdays comma-joined), as typed: the rows come back as the user left them.
 */
export function windowsFromEcho(values: Record<string, string>): unknown[] {
  const rows = Object.keys(values)
    .map((k) => /^maintenance\.(\d{1,2})\.kind$/.exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((x, y) => x - y);
  return rows.map((i) => {
    const at = (k: string) => values[`maintenance.${i}.${k}`] ?? "";
    if (at("kind") === "weekly") return { weekdays: at("weekdays").split(",").filter(Boolean).map(Number), from: at("from"), to: at("to") };
    return { start: at("start"), end: at("end") };
  });
}

export interface MaintenanceRows {
  rows: MaintenanceRowState[];
  add: (kind: MaintenanceRowState["kind"]) => void;
  remove: (key: number) => void;
}

export function useMaintenanceRows(initial: unknown[]): MaintenanceRows {
  const [rows, setRows] = useState<MaintenanceRowState[]>(() => rowsOf(initial));
  const nextKey = useRef(rows.length);
  return {
    rows,
    add: (kind) =>
      setRows((r) => [...r, { key: nextKey.current++, kind, start: "", end: "", weekdays: kind === "weekly" ? [1, 2, 3, 4, 5] : [], from: "02:00", to: "04:00" }]),
    remove: (key) => setRows((r) => r.filter((x) => x.key !== key)),
  };
}

export function MaintenanceWindowsEditor({ windows, errors, legend }: { windows: MaintenanceRows; errors: Record<string, string>; legend: string }) {
  return (
    <fieldset className="flex flex-col gap-3" data-testid="maintenance-windows">
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      {windows.rows.length === 0 ? <p className="text-sm text-slate-500 dark:text-slate-400">None.</p> : null}
      {windows.rows.map((row, i) => (
        <MaintenanceRow key={row.key} row={row} index={i} errors={errors} onRemove={() => windows.remove(row.key)} />
      ))}
      {errors.maintenance ? <FieldError message={errors.maintenance} /> : null}
      <div className="flex flex-wrap gap-2">
        <button type="button" className={BUTTON.secondary} onClick={() => windows.add("once")}>
          Add a one-off window
        </button>
        <button type="button" className={BUTTON.secondary} onClick={() => windows.add("weekly")}>
          Add a weekly window
        </button>
      </div>
    </fieldset>
  );
}

function FieldError({ message }: { message?: string }) {
  return message ? <p className="text-sm text-red-600 dark:text-red-400">{message}</p> : null;
}

function MaintenanceRow({ row, index, errors, onRemove }: { row: MaintenanceRowState; index: number; errors: Record<string, string>; onRemove: () => void }) {
  const id = useId();
  const name = (k: string) => `maintenance.${index}.${k}`;
  const err = (k: string) => errors[name(k)];
  const rowError = errors[`maintenance.${index}`];
  return (
    <div role="group" aria-label={`Maintenance window ${index + 1}`} data-testid="maintenance-row" className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
      <input type="hidden" name={name("kind")} value={row.kind} />
      {row.kind === "once" ? (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="From (UTC)" name={name("start")} type="datetime-local" defaultValue={row.start} error={err("start")} />
          <Field label="until (UTC)" name={name("end")} type="datetime-local" defaultValue={row.end} error={err("end")} />
        </div>
      ) : (
        <div className="grid gap-3 sm:grid-cols-[1fr_auto_auto]">
          <fieldset className="flex flex-col gap-1">
            <legend className="text-sm font-medium">Every</legend>
            <div className="flex flex-wrap gap-x-3 gap-y-1">
              {WEEKDAYS.map((d, day) => (
                <label key={d} className="flex items-center gap-1 text-sm">
                  <input
                    type="checkbox"
                    name={name("weekdays")}
                    value={String(day)}
                    defaultChecked={row.weekdays.includes(day)}
                    aria-describedby={err("weekdays") ? `${id}-wd` : undefined}
                  />{" "}
                  {d}
                </label>
              ))}
            </div>
            {err("weekdays") ? (
              <p id={`${id}-wd`} className="text-sm text-red-600 dark:text-red-400">
                {err("weekdays")}
              </p>
            ) : null}
          </fieldset>
          <Field label="from (HH:MM)" name={name("from")} type="time" defaultValue={row.from} error={err("from")} />
          <Field label="to (HH:MM)" name={name("to")} type="time" defaultValue={row.to} error={err("to")} hint={err("to") ? undefined : "Overnight (22:00–02:00) is fine."} />
        </div>
      )}
      <div className="mt-2 flex items-center justify-between gap-2">
        <FieldError message={rowError} />
        <button type="button" className={`${BUTTON.dangerOutline} ml-auto`} onClick={onRemove}>
          Remove window {index + 1}
        </button>
      </div>
    </div>
  );
}
