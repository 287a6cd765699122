// The monitors table: status, uptime, latency, last check, and (for managers) check now, edit
// and delete with a confirmation. Rows stack as cards on a phone.
import { Form, Link } from "@remix-run/react";
import { Badge, type BadgeTone } from "~/components/ui/badge";
import { BUTTON } from "~/components/ui/button-classes";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { TableHead } from "~/components/ui/table-head";
import { Time } from "~/components/ui/time";
import type { MonitorDto, MonitorStatus } from "~/validation/monitors";

const TONE: Record<MonitorStatus, BadgeTone> = { up: "good", down: "bad", pending: "muted", paused: "warn" };

function target(m: MonitorDto): string {
  const c = m.config;
  if (m.type === "http") return String(c.url ?? "");
  if (m.type === "tcp") return `${String(c.host)}:${String(c.port)}`;
  if (m.type === "ping") return `ping ${String(c.host)}`;
  if (m.type === "dns") return `DNS ${String(c.recordType)} ${String(c.name)}${c.server ? ` @${String(c.server)}` : ""}`;
  if (m.type === "container") return `container ${String(c.containerName)}`;
  if (m.type === "push") return "push (cron heartbeat)";
  return m.type;
}

/** 60 → "60 s", 300 → "5 min", 86400 → "24 h". */
export function formatInterval(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200 && seconds % 60 === 0) return `${seconds / 60} min`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${seconds} s`;
}

const pct = (v: number | null) => (v === null ? "—" : `${v.toFixed(v === 100 ? 0 : 2)} %`);

export function MonitorList({ monitors, canManage }: { monitors: MonitorDto[]; canManage: boolean }) {
  return (
    <table className="block w-full text-sm md:table">
      <TableHead stackOnPhone columns={["Monitor", "Status", "Uptime 24 h / 30 d", "Latency", "Last check", canManage && "Actions"]} />
      <tbody className="block divide-y divide-slate-200 md:table-row-group dark:divide-slate-800">
        {monitors.map((m) => (
          <tr key={m.id} data-testid="monitor-row" data-name={m.name} data-status={m.status} className="flex flex-col gap-1 py-3 md:table-row">
            <td className="min-w-0 md:py-3 md:pr-3 md:align-top">
              <p className="font-medium">
                <Link to={`?view=${m.id}#monitor-detail`} className="hover:underline" aria-label={`Details of ${m.name}`}>
                  {m.name}
                </Link>
              </p>
              <p className="text-xs text-slate-500 dark:text-slate-400">
                {m.type.toUpperCase()} · <span className="wrap-anywhere">{target(m)}</span> · <span className="whitespace-nowrap">every {formatInterval(m.intervalSeconds)}</span>
              </p>
            </td>
            <td className="md:py-3 md:pr-3 md:align-top">
              <Badge tone={TONE[m.status]}>{m.status}</Badge>
              {m.status === "down" && m.message ? <p className="mt-1 max-w-xs break-words text-xs text-red-700 dark:text-red-300">{m.message}</p> : null}
            </td>
            <td className="md:py-3 md:pr-3 md:align-top">
              <span className="text-xs text-slate-500 md:hidden dark:text-slate-400">Uptime 24 h / 30 d </span>
              {pct(m.uptime.h24)} / {pct(m.uptime.d30)}
            </td>
            <td className="md:py-3 md:pr-3 md:align-top">
              <span className="text-xs text-slate-500 md:hidden dark:text-slate-400">Latency </span>
              {m.latencyMs === null ? "—" : `${m.latencyMs} ms`}
            </td>
            <td className="md:py-3 md:pr-3 md:align-top">
              <span className="text-xs text-slate-500 md:hidden dark:text-slate-400">Last check </span>
              <Time iso={m.lastCheckAt} fallback="not yet" />
            </td>
            {canManage ? (
              <td className="md:py-3 md:align-top">
                <div className="flex flex-wrap items-center gap-3 md:flex-nowrap">
                  <Form method="post">
                    <input type="hidden" name="intent" value="check" />
                    <input type="hidden" name="id" value={m.id} />
                    <button type="submit" className={`${BUTTON.secondary} whitespace-nowrap`} disabled={!m.enabled} title={m.enabled ? undefined : "Paused: enable it to check"} >
                      Check now<span className="sr-only"> {m.name}</span>
                    </button>
                  </Form>
                  <Link to={`?edit=${m.id}#monitor-form`} className="text-brand-600 hover:underline dark:text-brand-300" aria-label={`Edit ${m.name}`}>
                    Edit
                  </Link>
                  <ConfirmDialog trigger="Delete" triggerLabel={`Delete ${m.name}`} title={`Delete the monitor ${m.name}?`} confirm="Delete monitor" fields={{ intent: "delete", id: m.id }}>
                    Its checks stop and its results and incidents are removed for good.
                  </ConfirmDialog>
                </div>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
