import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { HostUsageCharts } from "~/components/charts/usage-charts";
import { useUiSocket } from "~/components/containers/use-ui-socket";
import { ActivityTable, StatLine } from "~/components/dashboard/overview";
import { Badge } from "~/components/ui/badge";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { Time } from "~/components/ui/time";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { dashboardSummary } from "~/server/dashboard/summary.server";
import { hostStatsHistory } from "~/server/docker/stats-history.server";
import { page } from "~/server/http/page.server";
import { pageAgent } from "~/server/http/agent-choice.server";
import { AgentPicker, NoAgents } from "~/components/agents/agent-picker";
import { withAgent } from "~/agent-choice";
import { StatsHistoryQuerySchema } from "~/validation/containers";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  const actor = await requireUserWithPermission(request, context, "read:dashboard");
  const { agentId, picker } = await pageAgent(actor, request, context);
  const summary = await dashboardSummary(actor, agentId);
  // The host chart opens full from the history the agent keeps (decision 105), for roles that see containers.
  const range = StatsHistoryQuerySchema.safeParse({ range: new URL(request.url).searchParams.get("range") ?? undefined }).data?.range ?? "1h";
  const hostStats = summary.containers && summary.docker?.reachable ? await hostStatsHistory(actor, { agentId: summary.docker.agentId, range }).catch(() => null) : null;
  return { ...summary, hostStats, picker };
});

// Underlined: some of these links sit inside a sentence, where colour alone must not mark them.
const LINK = "text-brand-700 underline decoration-1 underline-offset-2 hover:decoration-2 dark:text-brand-100";
const percent = (n: number) => `${n.toFixed(1)} %`;
const mib = (n: number) => (n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(n / 1024 ** 2)} MiB`);

export default function Dashboard() {
  const s = useLoaderData<typeof loader>();
  const socket = useUiSocket();
  return (
    <>
      <PageHeader title="Dashboard" description="What InfraPilot manages for this organization, as of this page load. Times are in UTC." />
      <AgentPicker picker={s.picker} />
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        {s.proxies ? (
          <Card title="Proxy hosts">
            <section data-testid="dashboard-proxies" aria-label="Proxy hosts">
              {s.proxies.total === 0 ? (
                <EmptyState title="No proxy hosts yet" action={{ to: withAgent("/proxies", s.picker), label: "Add a proxy host" }} />
              ) : (
                <>
                  <StatLine
                    items={[
                      { label: "ok", value: s.proxies.ok, tone: "good" },
                      { label: "error", value: s.proxies.error, tone: s.proxies.error ? "bad" : "muted" },
                      { label: "pending", value: s.proxies.pending, tone: s.proxies.pending ? "warn" : "muted" },
                      ...(s.proxies.disabled ? [{ label: "disabled", value: s.proxies.disabled, tone: "muted" as const }] : []),
                    ]}
                  />
                  <Problems items={s.proxies.problems.map((p) => ({ key: `${p.id}-${p.reason}`, name: p.name, text: p.reason }))} />
                  <Link to={withAgent("/proxies", s.picker)} className={`mt-3 inline-block text-sm ${LINK}`}>
                    All {s.proxies.total} proxy host{s.proxies.total === 1 ? "" : "s"}
                  </Link>
                </>
              )}
            </section>
          </Card>
        ) : null}
        {s.certificates ? (
          <Card title="Certificates">
            <section data-testid="dashboard-certificates" aria-label="Certificates">
              {s.certificates.total === 0 ? (
                <EmptyState title="No certificates yet" action={{ to: "/certificates", label: "Add a certificate" }} />
              ) : (
                <>
                  <StatLine
                    items={[
                      { label: "issued", value: s.certificates.issued, tone: "good" },
                      { label: "expiring within 30 days", value: s.certificates.expiringSoon.length, tone: s.certificates.expiringSoon.length ? "warn" : "muted" },
                      { label: "failed", value: s.certificates.failed.length, tone: s.certificates.failed.length ? "bad" : "muted" },
                    ]}
                  />
                  <Problems
                    items={[
                      ...s.certificates.failed.map((c) => ({ key: `f-${c.id}`, name: c.name, text: `issuing or renewing failed${c.error ? `: ${c.error.slice(0, 120)}` : ""}` })),
                      ...s.certificates.expiringSoon.map((c) => ({ key: `e-${c.id}`, name: c.name, text: <>expires <Time iso={c.notAfter} /></> })),
                    ]}
                  />
                  <Link to="/certificates" className={`mt-3 inline-block text-sm ${LINK}`}>
                    All {s.certificates.total} certificate{s.certificates.total === 1 ? "" : "s"}
                  </Link>
                </>
              )}
            </section>
          </Card>
        ) : null}
        {s.alerts ? (
          <Card title="Alerts">
            <section data-testid="dashboard-alerts" aria-label="Alerts">
              <StatLine items={[{ label: "firing", value: s.alerts.firing.length, tone: s.alerts.firing.length ? "bad" : "good" }]} />
              <Problems
                items={s.alerts.firing.map((a) => ({ key: a.id, name: a.targetName, text: <>{a.ruleName} since <Time iso={a.firedAt} /></> }))}
              />
              <Link to="/alerts" className={`mt-3 inline-block text-sm ${LINK}`}>
                Alerts and rules
              </Link>
            </section>
          </Card>
        ) : null}
        <Card title="Containers">
          <section data-testid="dashboard-containers" aria-label="Containers">
            {s.agents.length === 0 && s.picker.show ? (
              <NoAgents picker={s.picker} lead="Containers, proxy hosts and their logs come from the Docker hosts of your organization." />
            ) : s.agents.length === 0 ? (
              <EmptyState title="No Docker host connected yet">The built-in agent registers itself when someone with access to containers opens InfraPilot.</EmptyState>
            ) : s.docker && !s.docker.reachable ? (
              <p className="text-sm text-amber-800 dark:text-amber-300">{s.docker.error}</p>
            ) : s.containers ? (
              <>
                <StatLine
                  items={[
                    { label: "running", value: s.containers.running, tone: "good" },
                    { label: "stopped", value: s.containers.stopped, tone: "muted" },
                    { label: "crashed", value: s.containers.crashed.length, tone: s.containers.crashed.length ? "bad" : "muted" },
                    { label: "unhealthy", value: s.containers.unhealthy.length, tone: s.containers.unhealthy.length ? "bad" : "muted" },
                  ]}
                />
                <Problems
                  items={[
                    ...s.containers.crashed.map((c) => ({ key: `c-${c.id}`, name: c.name, text: c.state === "exited" ? `crashed (exit code ${c.exitCode})` : c.state })),
                    ...s.containers.unhealthy.map((c) => ({ key: `u-${c.id}`, name: c.name, text: "health check failing" })),
                  ]}
                  limit={5}
                />
                <div className="mt-3 grid gap-3 text-sm">
                  <TopList title="Top CPU" items={s.containers.topCpu.map((c) => ({ id: c.id, name: c.name, value: percent(c.cpuPercent) }))} testId="top-cpu" />
                  <TopList title="Top memory" items={s.containers.topMemory.map((c) => ({ id: c.id, name: c.name, value: mib(c.memoryBytes) }))} testId="top-memory" />
                </div>
                <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
                  Docker {s.docker?.version} at <span className="wrap-anywhere font-mono text-xs">{s.docker?.dockerHost}</span> ·{" "}
                  <Link to={withAgent("/containers", s.picker)} className={LINK}>
                    All {s.containers.total} containers
                  </Link>
                </p>
              </>
            ) : (
              <p className="text-sm text-slate-600 dark:text-slate-400">Your role does not include containers.</p>
            )}
          </section>
        </Card>
        {s.monitors ? (
          <Card title="Uptime monitors">
            <section data-testid="dashboard-monitors" aria-label="Uptime monitors">
              {s.monitors.total === 0 ? (
                <EmptyState title="Nothing is monitored yet" action={{ to: "/monitors", label: "Add a monitor" }} />
              ) : (
                <>
                  <StatLine
                    items={[
                      { label: "up", value: s.monitors.up, tone: "good" },
                      { label: "down", value: s.monitors.down, tone: s.monitors.down ? "bad" : "muted" },
                      { label: "pending", value: s.monitors.pending, tone: "muted" },
                      ...(s.monitors.paused ? [{ label: "paused", value: s.monitors.paused, tone: "muted" as const }] : []),
                    ]}
                  />
                  <Problems items={s.monitors.downNames.map((name) => ({ key: name, name, text: "down" }))} />
                  <Link to="/monitors" className={`mt-3 inline-block text-sm ${LINK}`}>
                    All {s.monitors.total} monitor{s.monitors.total === 1 ? "" : "s"}
                  </Link>
                </>
              )}
            </section>
          </Card>
        ) : null}
        <Card title="Members">
          <p className="text-3xl font-semibold" data-testid="member-count">
            {s.members}
          </p>
          <p className="text-sm text-slate-600 dark:text-slate-400">{s.members === 1 ? "person has" : "people have"} access to this organization.</p>
          <Link to="/users" className={`mt-2 inline-block text-sm ${LINK}`}>
            Manage users
          </Link>
          {s.agents.length ? (
            <ul className="mt-3 border-t border-slate-200 pt-2 text-sm dark:border-slate-800" data-testid="docker-hosts" aria-label="Docker hosts">
              {s.agents.map((a) => (
                <li key={a.id} className="flex justify-between gap-2">
                  <span>Docker host {a.name}</span>
                  <Badge tone={a.status === "online" ? "good" : "muted"}>{a.status}</Badge>
                </li>
              ))}
            </ul>
          ) : null}
        </Card>
        {s.hostStats && s.docker ? (
          <Card title="Host usage" className="md:col-span-2 xl:col-span-3">
            <HostUsageCharts key={`${s.hostStats.range}:${s.hostStats.to}`} socket={socket} agentId={s.docker.agentId} history={s.hostStats} />
          </Card>
        ) : null}
        <Card title="Recent activity" className="md:col-span-2 xl:col-span-3">
          {s.recentActivity.length === 0 ? <p className="text-sm text-slate-600 dark:text-slate-400">Nothing has happened yet.</p> : <ActivityTable rows={s.recentActivity} />}
        </Card>
      </div>
    </>
  );
}

/** The objects behind a card's bad counts; long lists are cut at `limit` with "and N more". */
function Problems({ items, more = 0, limit = 5 }: { items: { key: string; name: string; text: React.ReactNode }[]; more?: number; limit?: number }) {
  if (items.length === 0) return null;
  more += Math.max(0, items.length - limit);
  return (
    <ul className="mt-3 space-y-1 text-sm" data-testid="problems">
      {items.slice(0, limit).map((i) => (
        <li key={i.key} className="break-words">
          <span className="font-medium">{i.name}</span> <span className="text-slate-600 dark:text-slate-400">— {i.text}</span>
        </li>
      ))}
      {more > 0 ? <li className="text-slate-600 dark:text-slate-400">and {more} more</li> : null}
    </ul>
  );
}

function TopList({ title, items, testId }: { title: string; items: { id: string; name: string; value: string }[]; testId: string }) {
  return (
    <div className="min-w-0" data-testid={testId}>
      <h3 className="text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400">{title}</h3>
      {items.length === 0 ? (
        <p className="text-slate-600 dark:text-slate-400">—</p>
      ) : (
        <ol>
          {items.map((c) => (
            <li key={c.id} className="flex justify-between gap-2">
              <span className="truncate" title={c.name}>
                {c.name}
              </span>
              <span className="shrink-0 tabular-nums">{c.value}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Dashboard · InfraPilot" }];
