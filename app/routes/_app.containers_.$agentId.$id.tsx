import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { ScrollTabs } from "~/components/ui/scroll-tabs";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { ContainerActions } from "~/components/containers/container-actions";
import { ContainerUsageCharts } from "~/components/charts/usage-charts";
import { Config, Environment, Mounts, Network, Overview } from "~/components/containers/detail-sections";
import { STATE_TONE } from "~/components/containers/format";
import { LogViewer } from "~/components/containers/log-viewer";
import { TerminalPanel } from "~/components/containers/terminal-panel";
import { monitorContainerHref } from "~/components/monitors/monitor-this";
import { useUiSocket } from "~/components/containers/use-ui-socket";
import { RouteErrorBoundary } from "~/components/route-error";
import { Badge } from "~/components/ui/badge";
import { Card } from "~/components/ui/page";
import { can } from "~/permissions";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { getContainer } from "~/server/docker/containers.server";
import { containerStatsHistory } from "~/server/docker/stats-history.server";
import { page, requirePageFeature } from "~/server/http/page.server";
import { pathOnAgent } from "~/server/http/agent-choice.server";
import { RevealSchema, StatsHistoryQuerySchema } from "~/validation/containers";

export const loader = page(async ({ request, context, params }: LoaderFunctionArgs) => {
  requirePageFeature("containers");
  const actor = await requireUserWithPermission(request, context, "read:container");
  // One masked field at a time (`env:KEY`, `label:KEY`, `cmd`, `entrypoint`); anything else reveals nothing.
  const search = new URL(request.url).searchParams;
  const reveal = RevealSchema.safeParse(search.get("reveal"));
  const container = await getContainer(actor, params.agentId!, params.id!, { reveal: reveal.success ? reveal.data : undefined });
  // The charts open full: the history the agent keeps for the chosen range (1 h unless a valid one is asked for).
  const range = StatsHistoryQuerySchema.safeParse({ range: search.get("range") ?? undefined }).data?.range ?? "1h";
  const stats = await containerStatsHistory(actor, { agentId: params.agentId!, ref: container.id, range });
  return {
    container,
    stats,
    // Back to the list of this container's agent (SaaS: ?agent=; Community: /containers as always).
    listPath: pathOnAgent("/containers", container.agentId),
    permissions: {
      canOperate: can(actor.role, "operate:container"),
      canDelete: can(actor.role, "delete:container"),
      canReveal: can(actor.role, "reveal:secret"),
      canLogs: can(actor.role, "read:logs"),
      canExec: can(actor.role, "exec:container"),
      canExecHostAccess: can(actor.role, "exec:host-access-container"),
      canMonitor: can(actor.role, "manage:monitor"),
    },
  };
});

const TABS = [
  { id: "overview", label: "Overview" },
  { id: "environment", label: "Environment" },
  { id: "mounts", label: "Mounts" },
  { id: "network", label: "Network" },
  { id: "config", label: "Config" },
  { id: "logs", label: "Logs", permission: "canLogs" },
  { id: "terminal", label: "Terminal", permission: "canExec" },
] as const;

export default function ContainerDetailPage() {
  const { container: c, stats, permissions, listPath } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const tabs = TABS.filter((t) => !("permission" in t) || permissions[t.permission]);
  const tab = tabs.find((t) => t.id === params.get("tab"))?.id ?? "overview";
  const socket = useUiSocket();

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link to={listPath} className="text-brand-700 hover:underline dark:text-brand-400">Containers</Link>
        {c.stack ? <span className="text-slate-500 dark:text-slate-400"> / {c.stack}</span> : null}
      </nav>
      <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div>
          <h1 className="flex flex-wrap items-center gap-2 text-2xl font-semibold">
            <span className="wrap-anywhere">{c.name}</span>
            <Badge tone={STATE_TONE[c.state.status] ?? "muted"}>
              <span data-testid="detail-state">{c.state.status}</span>
            </Badge>
          </h1>
          <p className="mt-1 wrap-anywhere font-mono text-xs text-slate-500 dark:text-slate-400">{c.image}</p>
          {permissions.canMonitor ? (
            <Link to={monitorContainerHref({ agentId: c.agentId, name: c.name })} className="mt-1 inline-block text-sm text-brand-700 hover:underline dark:text-brand-400">
              Monitor this container
            </Link>
          ) : null}
        </div>
        <ContainerActions agentId={c.agentId} container={{ id: c.id, name: c.name, state: c.state.status, protection: c.protection }} permissions={permissions} redirectAfterDelete={listPath} reasonId="protection-note" />
      </div>
      {c.protection ? (
        <p id="protection-note" role="note" data-testid="protection-note" className="mb-4 rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          {c.protection}
        </p>
      ) : null}
      <ScrollTabs role="tablist" label="Container details">
        {tabs.map((t) => (
          <Link
            key={t.id}
            role="tab"
            aria-selected={tab === t.id}
            to={`?tab=${t.id}`}
            replace
            preventScrollReset
            className={`whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium ${tab === t.id ? "border-brand-600 text-brand-700 dark:text-white" : "border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white"}`}
          >
            {t.label}
          </Link>
        ))}
      </ScrollTabs>
      <Card>
        <div role="tabpanel" aria-label={tabs.find((t) => t.id === tab)?.label}>
          {tab === "overview" ? <Overview c={c} usage={c.state.running || stats.points.length > 0 ? <ContainerUsageCharts key={`${stats.range}:${stats.to}`} socket={socket} agentId={c.agentId} containerId={c.id} history={stats} /> : <p className="text-sm text-slate-600 dark:text-slate-400">Charts appear once the container runs; InfraPilot keeps its last 24 hours of usage.</p>} /> : null}
          {tab === "environment" ? <Environment c={c} canReveal={permissions.canReveal} /> : null}
          {tab === "mounts" ? <Mounts c={c} /> : null}
          {tab === "network" ? <Network c={c} /> : null}
          {tab === "config" ? <Config c={c} canReveal={permissions.canReveal} /> : null}
          {tab === "logs" ? <LogViewer socket={socket} agentId={c.agentId} containerId={c.id} containerName={c.name} /> : null}
          {tab === "terminal" ? (
            <TerminalPanel
              socket={socket}
              agentId={c.agentId}
              containerId={c.id}
              running={c.state.running}
              refusal={c.protection ?? (c.terminalRestriction && !permissions.canExecHostAccess ? c.terminalRestriction : null)}
              warning={c.terminalRestriction && permissions.canExecHostAccess ? c.terminalRestriction : null}
            />
          ) : null}
        </div>
      </Card>
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.container.name ?? "Container"} · Containers · InfraPilot` }];
export const ErrorBoundary = RouteErrorBoundary;
