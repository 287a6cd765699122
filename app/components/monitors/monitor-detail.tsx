// One monitor's detail view on the Monitors page (?view=<id>): uptime over 24 h / 7 d / 30 d /
// 90 d, the response time of the last 24 h as an inline SVG chart (failed checks as red ticks, the
// line broken there), and the incident timeline (down with its cause, up, how long each lasted).
import { Link } from "@remix-run/react";
import { Badge, type BadgeTone } from "~/components/ui/badge";
import { Time } from "~/components/ui/time";
import type { MonitorDto, MonitorStatus } from "~/validation/monitors";
import { formatDuration, incidentTimeline, latencyChart, latencySummary, type IncidentLike, type ResultPoint } from "./detail-model";

const TONE: Record<MonitorStatus, BadgeTone> = { up: "good", down: "bad", pending: "muted", paused: "warn" };
const CAUSES: Record<string, string> = {
  status: "unexpected status",
  timeout: "timeout",
  keyword: "keyword",
  tls: "TLS / certificate",
  connection: "connection failed",
  refused: "refused by the address policy",
  container: "container",
  push: "missed push",
  dns: "DNS answer",
};
const W = 600;
const H = 140;

const pct = (v: number | null) => (v === null ? "—" : `${v.toFixed(v === 100 ? 0 : 2)} %`);
const ms = (v: number | null) => (v === null ? "—" : `${v} ms`);

export interface MonitorDetailProps {
  monitor: MonitorDto;
  results: ResultPoint[];
  incidents: IncidentLike[];
  /** The chart's window (ISO), and the time the timeline's ongoing incidents are measured to. */
  from: string;
  to: string;
}

export function MonitorDetail({ monitor, results, incidents, from, to }: MonitorDetailProps) {
  const start = Date.parse(from);
  const end = Date.parse(to);
  // A monitor younger than the window is drawn from its first check, not squeezed into the last pixels.
  const oldest = results.reduce((min, r) => Math.min(min, Date.parse(r.time)), end);
  const chartFrom = Math.max(start, Math.min(oldest, end - 60_000));
  const chart = latencyChart(results, chartFrom, end, W, H);
  const summary = latencySummary(results);
  const timeline = incidentTimeline(incidents, end);
  const uptime: [string, number | null, { avgMs: number | null; p95Ms: number | null } | undefined][] = [
    ["24 h", monitor.uptime.h24, monitor.latency?.h24],
    ["7 days", monitor.uptime.d7, monitor.latency?.d7],
    ["30 days", monitor.uptime.d30, monitor.latency?.d30],
    ["90 days", monitor.uptime.d90, monitor.latency?.d90],
  ];
  return (
    <section id="monitor-detail" aria-labelledby="monitor-detail-title" className="flex flex-col gap-5 rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id="monitor-detail-title" className="text-lg font-semibold">
            {monitor.name} <Badge tone={TONE[monitor.status]}>{monitor.status}</Badge>
          </h2>
          <p className="break-words text-sm text-slate-500 dark:text-slate-400">{monitor.message ?? "Not checked yet."}</p>
        </div>
        <Link to="/monitors" className="text-sm text-brand-600 hover:underline dark:text-brand-300">
          Close details
        </Link>
      </div>

      <dl className="grid grid-cols-2 gap-3 md:grid-cols-4" aria-label="Uptime">
        {uptime.map(([label, value, latency]) => (
          <div key={label} className="rounded-lg bg-slate-50 p-3 dark:bg-slate-800">
            <dt className="text-xs text-slate-500 dark:text-slate-400">Uptime {label}</dt>
            <dd className="text-xl font-semibold tabular-nums" data-testid={`uptime-${label.replace(/\s+/g, "")}`}>
              {pct(value)}
            </dd>
            <dd className="text-xs tabular-nums text-slate-500" data-testid={`latency-${label.replace(/\s+/g, "")}`}>
              avg {ms(latency?.avgMs ?? null)} · p95 {ms(latency?.p95Ms ?? null)}
            </dd>
          </div>
        ))}
      </dl>

      <figure className="flex flex-col gap-2">
        <figcaption className="flex flex-wrap justify-between gap-2 text-sm">
          <span className="font-medium">Response time, {chartFrom > start ? "since the first check" : "last 24 h"}</span>
          <span className="text-slate-500 dark:text-slate-400" data-testid="latency-summary">
            avg {ms(summary.avgMs)} · p95 {ms(summary.p95Ms)} · max {ms(summary.maxMs)} · {summary.checks} checks, {summary.failed} failed
          </span>
        </figcaption>
        {summary.checks === 0 ? (
          <p className="rounded-lg bg-slate-50 p-6 text-center text-sm text-slate-500 dark:bg-slate-800 dark:text-slate-400">No checks in the last 24 hours yet.</p>
        ) : (
          <div className="flex gap-2">
            <div className="flex w-14 shrink-0 flex-col justify-between whitespace-nowrap text-right text-xs tabular-nums text-slate-500 dark:text-slate-400" aria-hidden="true">
              <span>{chart.top} ms</span>
              <span>0</span>
            </div>
            <svg
              viewBox={`0 0 ${W} ${H}`}
              preserveAspectRatio="none"
              className="h-36 w-full rounded-md bg-slate-50 text-brand-600 dark:bg-slate-800 dark:text-brand-500"
              role="img"
              aria-label={`Response time over the last 24 hours: average ${ms(summary.avgMs)}, ${summary.failed} failed checks`}
              data-testid="latency-chart"
            >
              <line x1="0" x2={W} y1={H / 2} y2={H / 2} stroke="currentColor" strokeOpacity="0.12" vectorEffect="non-scaling-stroke" />
              {chart.failures.map((x, i) => (
                <line key={i} x1={x} x2={x} y1="0" y2={H} className="text-red-500" stroke="currentColor" strokeOpacity="0.7" strokeWidth="2" vectorEffect="non-scaling-stroke" data-testid="chart-failure" />
              ))}
              {chart.path ? <path d={chart.path} fill="none" stroke="currentColor" strokeWidth="2" vectorEffect="non-scaling-stroke" data-testid="chart-line" /> : null}
            </svg>
          </div>
        )}
        <div className="flex flex-wrap justify-between gap-x-3 pl-16 text-xs text-slate-500 dark:text-slate-400">
          <Time iso={new Date(chartFrom).toISOString()} seconds={end - chartFrom < 3_600_000} />
          <Time iso={to} seconds={end - chartFrom < 3_600_000} />
        </div>
      </figure>

      <div>
        <h3 className="mb-2 text-sm font-medium">Incidents</h3>
        {timeline.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">No incidents: it has not gone down.</p>
        ) : (
          <ol className="flex flex-col gap-0 border-l-2 border-slate-200 dark:border-slate-700" aria-label="Incident timeline">
            {timeline.map((e) => (
              <li key={e.id} data-testid="incident" data-kind={e.kind} className="relative py-2 pl-4">
                <span aria-hidden="true" className={`absolute -left-[7px] top-3.5 h-3 w-3 rounded-full ${e.kind === "down" ? "bg-red-500" : e.kind === "cert" ? "bg-amber-500" : "bg-emerald-500"}`} />
                <p className="text-sm">
                  <span className={`font-semibold ${e.kind === "down" ? "text-red-700 dark:text-red-300" : e.kind === "cert" ? "text-amber-700 dark:text-amber-300" : "text-emerald-700 dark:text-emerald-300"}`}>
                    {e.kind === "down" ? `Down${e.cause ? ` — ${CAUSES[e.cause] ?? e.cause}` : ""}` : e.kind === "cert" ? "Certificate expiring" : "Up again"}
                  </span>{" "}
                  <span className="text-slate-500 dark:text-slate-400">
                    · <Time iso={e.at} seconds />
                    {e.durationMs !== null ? (e.kind === "down" ? (e.ongoing ? ` · ongoing for ${formatDuration(e.durationMs)}` : ` · lasted ${formatDuration(e.durationMs)}`) : ` · after ${formatDuration(e.durationMs)} down`) : ""}
                  </span>
                </p>
                <p className="break-words text-xs text-slate-600 dark:text-slate-400">{e.message}</p>
              </li>
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}
