// A public status page: no login, no navigation, only what the page shows — its title, logo,
// description, incident posts and maintenance notices, and the chosen monitors' name, status and
// uptime, in their groups (decision 063). Light or dark follows the visitor's system setting.
import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { RouteErrorBoundary } from "~/components/route-error";
import { Badge, type BadgeTone } from "~/components/ui/badge";
import { Time } from "~/components/ui/time";
import { publicStatusPage } from "~/server/monitors/status-pages.server";
import { page } from "~/server/http/page.server";
import type { PublicMonitorStatus, PublicStatusPage } from "~/validation/monitors";

export const loader = page(async ({ params }: LoaderFunctionArgs) => publicStatusPage(params.slug!));

export const headers: HeadersFunction = () => ({ "Cache-Control": "public, max-age=30" });

const TONE: Record<PublicMonitorStatus, BadgeTone> = { up: "good", down: "bad", pending: "muted", paused: "warn", maintenance: "warn" };
const LABEL: Record<PublicMonitorStatus, string> = { up: "Operational", down: "Down", pending: "Checking", paused: "Paused", maintenance: "Maintenance" };
const STATUS_TEXT: Record<string, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
  scheduled: "Scheduled",
  in_progress: "In progress",
  completed: "Completed",
};
const pct = (v: number | null) => (v === null ? "—" : `${v.toFixed(v === 100 ? 0 : 2)} %`);

const SUMMARY: Record<PublicStatusPage["overall"], [string, string]> = {
  up: ["All services are operational.", "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"],
  degraded: ["", "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-100"],
  maintenance: ["Maintenance in progress.", "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-100"],
  empty: ["Nothing is listed on this page yet.", "bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-100"],
};

export default function StatusPage() {
  const data = useLoaderData<typeof loader>();
  const down = data.monitors.filter((m) => m.status === "down").length;
  const [summary, tone] = SUMMARY[data.overall];
  const incidents = data.posts.filter((p) => p.kind === "incident");
  const maintenance = data.posts.filter((p) => p.kind === "maintenance");
  return (
    <main className="mx-auto flex max-w-3xl flex-col gap-6 px-4 py-10">
      <header className="flex items-center gap-4">
        {data.logoUrl ? <img src={data.logoUrl} alt="" className="h-12 w-12 shrink-0 rounded-md object-contain" data-testid="status-logo" referrerPolicy="no-referrer" /> : null}
        <div>
          <h1 className="text-3xl font-semibold">{data.title}</h1>
          {data.description ? <p className="mt-2 whitespace-pre-line text-slate-600 dark:text-slate-400">{data.description}</p> : null}
        </div>
      </header>
      <p data-testid="status-summary" className={`rounded-xl px-4 py-3 font-medium ${tone}`}>
        {data.overall === "degraded" ? `${down} of ${data.monitors.length} services are down.` : summary}
      </p>
      {[...incidents, ...maintenance].length ? (
        <section aria-label="Announcements" className="flex flex-col gap-3">
          {[...incidents, ...maintenance].map((p, i) => (
            <article
              key={i}
              data-testid="status-post"
              data-kind={p.kind}
              className={`rounded-xl border p-4 ${p.resolvedAt ? "border-slate-200 dark:border-slate-800" : p.kind === "incident" ? "border-amber-400 bg-amber-50 dark:border-amber-700 dark:bg-amber-950/40" : "border-sky-400 bg-sky-50 dark:border-sky-700 dark:bg-sky-950/40"}`}
            >
              <h2 className="flex flex-wrap items-center gap-2 font-semibold">
                <Badge tone={p.resolvedAt ? "good" : p.kind === "incident" ? "warn" : "muted"}>{STATUS_TEXT[p.status] ?? p.status}</Badge>
                {p.kind === "maintenance" ? "Maintenance: " : ""}
                {p.title}
              </h2>
              {p.body ? <p className="mt-1 whitespace-pre-line text-sm">{p.body}</p> : null}
              <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
                {p.kind === "maintenance" && p.startsAt ? (
                  <>
                    <Time iso={p.startsAt} />
                    {p.endsAt ? (
                      <>
                        {" – "}
                        <Time iso={p.endsAt} />
                      </>
                    ) : null}
                  </>
                ) : (
                  <>
                    Posted <Time iso={p.createdAt} />
                    {p.updatedAt !== p.createdAt ? (
                      <>
                        {" · updated "}
                        <Time iso={p.updatedAt} />
                      </>
                    ) : null}
                  </>
                )}
              </p>
            </article>
          ))}
        </section>
      ) : null}
      {data.groups.map((g, gi) => (
        <section key={gi} className="flex flex-col gap-2" aria-label={g.name || "Services"}>
          {g.name ? <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400" data-testid="status-group">{g.name}</h2> : null}
          <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
            {g.monitors.map((m, i) => (
              <li key={i} data-testid="status-monitor" className="flex flex-col gap-1 px-4 py-3 sm:flex-row sm:items-center sm:justify-between">
                <span className="font-medium">{m.name}</span>
                <span className="flex items-center gap-3 text-sm text-slate-600 dark:text-slate-400">
                  <span>
                    {pct(m.uptime.d30)} <span className="text-xs">uptime, 30 days</span>
                  </span>
                  <Badge tone={TONE[m.status]}>{LABEL[m.status]}</Badge>
                </span>
              </li>
            ))}
          </ul>
        </section>
      ))}
      <footer className="text-xs text-slate-500 dark:text-slate-400">Powered by InfraPilot</footer>
    </main>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.title} · Status` : "Status" }];

export const ErrorBoundary = RouteErrorBoundary;
