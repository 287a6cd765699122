// A public status page: no login, no navigation, only the chosen monitors' name, status and uptime.
// Light or dark follows the visitor's system setting (the root layout).
import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { RouteErrorBoundary } from "~/components/route-error";
import { Badge, type BadgeTone } from "~/components/ui/badge";
import { publicStatusPage } from "~/server/monitors/status-pages.server";
import { page } from "~/server/http/page.server";
import type { MonitorStatus } from "~/validation/monitors";

export const loader = page(async ({ params }: LoaderFunctionArgs) => publicStatusPage(params.slug!));

export const headers: HeadersFunction = () => ({ "Cache-Control": "public, max-age=30" });

const TONE: Record<MonitorStatus, BadgeTone> = { up: "good", down: "bad", pending: "muted", paused: "warn" };
const LABEL: Record<MonitorStatus, string> = { up: "Operational", down: "Down", pending: "Checking", paused: "Paused" };
const pct = (v: number | null) => (v === null ? "—" : `${v.toFixed(v === 100 ? 0 : 2)} %`);

export default function StatusPage() {
  const data = useLoaderData<typeof loader>();
  const down = data.monitors.filter((m) => m.status === "down").length;
  return (
    <main className="mx-auto flex max-w-3xl flex-col gap-6 px-4 py-10">
      <header>
        <h1 className="text-3xl font-semibold">{data.title}</h1>
        {data.description ? <p className="mt-2 text-slate-600 dark:text-slate-400">{data.description}</p> : null}
      </header>
      <p
        data-testid="status-summary"
        className={`rounded-xl px-4 py-3 font-medium ${down ? "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-100" : "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"}`}
      >
        {data.monitors.length === 0 ? "Nothing is listed on this page yet." : down ? `${down} of ${data.monitors.length} services are down.` : "All services are operational."}
      </p>
      <ul className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900">
        {data.monitors.map((m, i) => (
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
      <footer className="text-xs text-slate-500 dark:text-slate-400">Powered by InfraPilot</footer>
    </main>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.title} · Status` : "Status" }];

export const ErrorBoundary = RouteErrorBoundary;
