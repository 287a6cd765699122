// Settings → Plan (SaaS, decision 126): the organization's plan, each limit with its usage and a
// bar, what happens at the limit and what to do about it. Any member may see it (as
// GET /api/v1/orgs/current/plan); the plan is changed by the service operator (billing comes later).
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { RouteErrorBoundary } from "~/components/route-error";
import { Badge } from "~/components/ui/badge";
import { Card, PageHeader } from "~/components/ui/page";
import { can } from "~/permissions";
import { formatBytes, PLAN_LABELS, PLAN_LIMITS, PLANS, usageMeters, type UsageMeter } from "~/plans";
import { requireUser } from "~/server/auth/require.server";
import { page, requirePageFeature } from "~/server/http/page.server";
import { getLogSettings } from "~/server/logs/log-retention.server";
import { getCurrentOrg } from "~/server/orgs/orgs.server";
import { getPlan } from "~/server/plans/plan-limits.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("planLimits");
  const actor = await requireUser(request, context);
  const [view, org, logs] = await Promise.all([getPlan(actor), getCurrentOrg(actor), can(actor.role, "read:logs") ? getLogSettings(actor) : Promise.resolve(null)]);
  return {
    orgName: org.name,
    view,
    retentionDays: logs?.retentionDays ?? null,
    canManageSettings: can(actor.role, "manage:settings"),
    canManageMembers: can(actor.role, "manage:user"),
  };
});

const BAR: Record<UsageMeter["level"], string> = {
  ok: "bg-brand-600 dark:bg-brand-400",
  near: "bg-amber-500 dark:bg-amber-400",
  at: "bg-red-600 dark:bg-red-500",
};

export default function PlanPage() {
  const { orgName, view, retentionDays, canManageSettings, canManageMembers } = useLoaderData<typeof loader>();
  const meters = usageMeters(view.plan, { ...view.usage, retentionDays: retentionDays ?? view.limits.logRetentionDays }, view.periodEnd);
  const atLimit = meters.filter((m) => m.level === "at");
  const where: Partial<Record<UsageMeter["key"], { to: string; label: string } | null>> = {
    members: canManageMembers ? { to: "/organizations", label: "Members and invitations" } : null,
    logRetentionDays: canManageSettings ? { to: "/logs", label: "Log retention" } : null,
  };
  return (
    <div className="flex max-w-4xl flex-col gap-6">
      <PageHeader title="Plan and usage" description={`What the ${orgName} organization's plan allows, and how much of it is in use.`} />
      <Card>
        <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
          <div>
            <p className="text-sm text-slate-600 dark:text-slate-400">Current plan</p>
            <p className="mt-1 text-3xl font-semibold" data-testid="plan-name">
              {PLAN_LABELS[view.plan]}
            </p>
            {view.suspended ? (
              <p className="mt-2">
                <Badge tone="warn">Suspended by the service operator</Badge>
              </p>
            ) : null}
          </div>
          <div className="max-w-md text-sm text-slate-600 sm:text-right dark:text-slate-300">
            <p>
              <strong className="font-medium text-slate-900 dark:text-slate-100">Need more?</strong> Contact the service operator to move this organization to a larger plan. Plans
              take effect at once; self-service upgrades and billing are coming later.
            </p>
          </div>
        </div>
        {atLimit.length > 0 ? (
          <div role="status" className="mt-4 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
            <strong className="font-medium">At the plan&apos;s limit: {atLimit.map((m) => m.label).join(", ")}.</strong> Below is what that means and what to do.
          </div>
        ) : null}
      </Card>

      <Card title="Limits">
        <ul className="flex flex-col divide-y divide-slate-200 dark:divide-slate-800">
          {meters.map((m) => (
            <li key={m.key} data-testid="plan-limit" data-limit={m.key} data-level={m.level} className="py-4 first:pt-0 last:pb-0">
              <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
                <p className="font-medium" id={`limit-${m.key}`}>
                  {m.label}
                  {m.level === "at" ? (
                    <span className="ml-2 align-middle">
                      <Badge tone="bad">At the limit</Badge>
                    </span>
                  ) : m.level === "near" ? (
                    <span className="ml-2 align-middle">
                      <Badge tone="warn">Near the limit</Badge>
                    </span>
                  ) : null}
                </p>
                <p className="text-sm tabular-nums text-slate-700 dark:text-slate-300" data-testid="plan-usage">
                  {m.usedText} of {m.allowedText}
                </p>
              </div>
              <div
                role="meter"
                aria-labelledby={`limit-${m.key}`}
                aria-valuemin={0}
                aria-valuemax={m.allowed}
                aria-valuenow={Math.min(m.used, m.allowed)}
                aria-valuetext={`${m.usedText} of ${m.allowedText}`}
                className="mt-2 h-2.5 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
              >
                <div className={`h-full rounded-full ${BAR[m.level]}`} style={{ width: `${Math.max(m.percent, m.used > 0 ? 2 : 0)}%` }} />
              </div>
              <p className={`mt-2 text-sm ${m.level === "ok" ? "text-slate-500 dark:text-slate-400" : "text-slate-700 dark:text-slate-200"}`}>
                <span className="font-medium">At the limit:</span> {m.atLimit}
                {where[m.key] ? (
                  <>
                    {" "}
                    <Link to={where[m.key]!.to} className="text-brand-700 underline underline-offset-2 hover:no-underline dark:text-brand-300">
                      {where[m.key]!.label}
                    </Link>
                  </>
                ) : null}
              </p>
              {m.key === "logBytesPerMonth" && view.usage.logLinesDroppedThisMonth > 0 ? (
                <p className="mt-1 text-sm text-red-700 dark:text-red-300" data-testid="log-dropped">
                  {view.usage.logLinesDroppedThisMonth.toLocaleString("en")} log lines ({formatBytes(view.usage.logBytesDroppedThisMonth)}) were not stored this month.
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      </Card>

      <Card title="Plans">
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <caption className="sr-only">What each plan allows</caption>
            <thead>
              <tr className="text-left text-slate-500 dark:text-slate-400">
                <th scope="col" className="py-2 pr-3 font-medium">
                  Limit
                </th>
                {PLANS.map((p) => (
                  <th key={p} scope="col" className={`px-2 py-2 text-right font-medium ${p === view.plan ? "text-brand-700 dark:text-brand-300" : ""}`}>
                    {PLAN_LABELS[p]}
                    {p === view.plan ? <span className="block text-xs font-normal">(yours)</span> : null}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {(
                [
                  ["Agents", (p) => String(PLAN_LIMITS[p].agents)],
                  ["Members", (p) => String(PLAN_LIMITS[p].members)],
                  ["Log retention", (p) => `${PLAN_LIMITS[p].logRetentionDays} days`],
                  ["Logs per month", (p) => formatBytes(PLAN_LIMITS[p].logBytesPerMonth)],
                ] as [string, (p: (typeof PLANS)[number]) => string][]
              ).map(([label, value]) => (
                <tr key={label}>
                  <th scope="row" className="py-2 pr-3 text-left font-normal">
                    {label}
                  </th>
                  {PLANS.map((p) => (
                    <td key={p} className={`whitespace-nowrap px-2 py-2 text-right tabular-nums ${p === view.plan ? "bg-brand-50 font-medium dark:bg-slate-800" : ""}`}>
                      {value(p)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">The monthly log volume starts over on the first day of each month (UTC).</p>
      </Card>
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Plan and usage · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
