import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { dashboardSummary } from "~/server/dashboard/summary.server";
import { page } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  const actor = await requireUserWithPermission(request, context, "read:dashboard");
  return dashboardSummary(actor);
});

export default function Dashboard() {
  const s = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Dashboard" description="What InfraPilot manages for this organization." />
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        <Card title="Proxy hosts">
          <EmptyState title="No proxy hosts yet">Proxy hosts with automatic TLS arrive with the proxy module.</EmptyState>
        </Card>
        <Card title="Docker hosts">
          {s.agents.length === 0 ? (
            <EmptyState title="No Docker host connected yet">The built-in agent registers itself when someone with access to containers opens InfraPilot.</EmptyState>
          ) : (
            <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="docker-hosts">
              {s.agents.map((a) => (
                <li key={a.id} className="flex flex-col gap-1 py-2 text-sm">
                  <div className="flex justify-between">
                    <span className="font-medium">{a.name}</span>
                    <span className={a.status === "online" ? "text-emerald-600" : "text-slate-500"}>{a.status}</span>
                  </div>
                  {s.docker && s.docker.agentId === a.id ? (
                    s.docker.reachable ? (
                      <Link to="/containers" className="text-slate-600 hover:underline dark:text-slate-400">
                        {s.docker.running} running of {s.docker.total} containers · Docker {s.docker.version}
                      </Link>
                    ) : (
                      <span className="text-amber-700 dark:text-amber-400">{s.docker.error}</span>
                    )
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Members">
          <p className="text-3xl font-semibold" data-testid="member-count">{s.members}</p>
          <p className="text-sm text-slate-500">{s.members === 1 ? "person has" : "people have"} access to this organization.</p>
          <Link to="/users" className="mt-2 inline-block text-sm text-brand-600 hover:underline">Manage users</Link>
        </Card>
        <Card title="Recent activity" className="md:col-span-2 xl:col-span-3">
          {s.recentActivity.length === 0 ? (
            <p className="text-sm text-slate-500">Nothing has happened yet.</p>
          ) : (
            <ul className="divide-y divide-slate-200 text-sm dark:divide-slate-800">
              {s.recentActivity.map((e) => (
                <li key={e.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                  <span className="font-mono text-xs">{e.action}</span>
                  <span className="text-slate-500">{e.actorEmail ?? "system"}</span>
                  <span className={e.outcome === "success" ? "text-emerald-600" : "text-amber-600"}>{e.outcome}</span>
                  <time dateTime={e.time} className="text-slate-500">{new Date(e.time).toLocaleString()}</time>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Dashboard · InfraPilot" }];
