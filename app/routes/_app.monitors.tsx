import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { MonitorForm, type MonitorFormResult } from "~/components/monitors/monitor-form";
import { MonitorDetail } from "~/components/monitors/monitor-detail";
import { MonitorList } from "~/components/monitors/monitor-list";
import { RouteErrorBoundary } from "~/components/route-error";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { can } from "~/permissions";
import { defaultAgentId, listAgents } from "~/server/agents/registry.server";
import { listChannels } from "~/server/alerts/channels.server";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { runMonitorsAction } from "~/server/monitors/page-actions.server";
import { listIncidents, listMonitors, listResults } from "~/server/monitors/monitors.server";
import { getStatusPage, listPosts, listStatusPages } from "~/server/monitors/status-pages.server";
import { StatusPageEditor } from "~/components/monitors/status-page-editor";
import { StatusPages } from "~/components/monitors/status-pages";
import { page, readForm, redirectWithToast, requirePageFeature } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("monitors");
  const actor = await requireUserWithPermission(request, context, "read:monitor");
  const params = new URL(request.url).searchParams;
  const canManage = can(actor.role, "manage:monitor");
  const [{ items }, channels, pages] = await Promise.all([listMonitors(actor), can(actor.role, "read:alert") ? listChannels(actor) : { items: [] }, listStatusPages(actor)]);
  const prefillType = params.get("new");
  const viewed = items.find((m) => m.id === params.get("view")) ?? null;
  const to = new Date();
  const from = new Date(to.getTime() - 24 * 3600 * 1000);
  const detail = viewed
    ? {
        monitor: viewed,
        results: (await listResults(actor, viewed.id, { from, to, limit: 5000 })).items.map((r) => ({ time: r.time, ok: r.ok, latencyMs: r.latencyMs })),
        incidents: (await listIncidents(actor, viewed.id)).items.map((i) => ({ id: i.id, kind: i.kind, cause: i.cause, message: i.message, at: i.at })),
        from: from.toISOString(),
        to: to.toISOString(),
      }
    : null;
  const editedPage = pages.items.find((p) => p.id === params.get("page")) ?? null;
  const pageEditor = editedPage && canManage ? { page: await getStatusPage(actor, editedPage.id), posts: (await listPosts(actor, editedPage.id)).items } : null;
  return {
    detail,
    pageEditor: canManage ? pageEditor : null,
    monitors: items,
    statusPages: pages.items.map((p) => ({ id: p.id, slug: p.slug, title: p.title, monitorIds: p.monitorIds })),
    channels: channels.items.map((c) => ({ id: c.id, name: c.name, type: c.type })),
    editing: items.find((m) => m.id === params.get("edit")) ?? null,
    prefill: prefillType ? { type: prefillType, url: params.get("url") ?? "", name: params.get("name") ?? "", container: params.get("container") ?? "", agentId: /^[0-9a-f-]{36}$/i.test(params.get("agent") ?? "") ? params.get("agent")! : "" } : null,
    localAgentId: canManage ? await defaultAgentId(actor) : null,
    // Where a network check may run (decisions 065, 141): InfraPilot itself or one of the agents.
    agents: canManage && can(actor.role, "read:container") ? (await listAgents(actor)).items.map((a) => ({ id: a.id, name: a.name, kind: a.kind, status: a.status })) : [],
    canManage,
  };
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("monitors");
  const actor = await requireUserWithPermission(request, context, "manage:monitor");
  const result = await runMonitorsAction(actor, await readForm(request));
  if (result.ok) return redirectWithToast(result.redirectTo ?? "/monitors", { kind: "success", message: result.message });
  return result;
});

export default function MonitorsPage() {
  const { detail, pageEditor, monitors, channels, statusPages, editing, prefill, localAgentId, agents, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as MonitorFormResult;
  const navigation = useNavigation();
  const intent = navigation.state !== "idle" ? String(navigation.formData?.get("intent") ?? "") : "";
  return (
    <>
      <PageHeader title="Monitors" description="Uptime checks of URLs, ports, containers and cron jobs, with incidents and notifications through your alert channels." />
      <div className="flex flex-col gap-6">
        {detail ? <MonitorDetail {...detail} /> : null}
        <Card title={`Monitors (${monitors.length})`}>
          {monitors.length === 0 ? (
            <EmptyState title="Nothing is monitored yet" action={canManage ? { to: "#monitor-form", label: "Create a monitor" } : undefined}>
              {canManage
                ? "Add a URL, a TCP port, a container or a push URL for a cron job below — or use “Monitor this” on a proxy host. Pick an alert channel to be told when it goes down and comes back."
                : "An administrator can add monitors here."}
            </EmptyState>
          ) : (
            <MonitorList monitors={monitors} canManage={canManage} />
          )}
        </Card>
        {canManage ? (
          <section id="monitor-form" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <div className="mb-3 flex items-center justify-between gap-3">
              <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{editing ? `Edit ${editing.name}` : "New monitor"}</h2>
              {editing || prefill ? (
                <Link to="/monitors" className="text-sm text-brand-600 hover:underline dark:text-brand-300">
                  {editing ? "Cancel editing" : "Clear"}
                </Link>
              ) : null}
            </div>
            <MonitorForm
              key={editing?.id ?? (prefill ? `new-${prefill.url}` : "new")}
              monitor={editing}
              prefill={prefill}
              channels={channels}
              localAgentId={localAgentId}
              agents={agents}
              result={result}
              pending={intent === "create" || intent === "update"}
            />
          </section>
        ) : null}
        {pageEditor ? <StatusPageEditor key={pageEditor.page.id} page={pageEditor.page} posts={pageEditor.posts} monitors={monitors.map((m) => ({ id: m.id, name: m.name }))} result={result} pending={intent} /> : null}
        <Card title={`Status pages (${statusPages.length})`}>
          <StatusPages pages={statusPages} monitors={monitors.map((m) => ({ id: m.id, name: m.name }))} canManage={canManage} result={result} pending={intent === "page-create"} />
        </Card>
      </div>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Monitors · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
