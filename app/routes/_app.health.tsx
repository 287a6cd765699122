import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { ScoreRing } from "~/components/health/score-ring";
import { RouteErrorBoundary } from "~/components/route-error";
import { Badge } from "~/components/ui/badge";
import { BUTTON } from "~/components/ui/button-classes";
import { Card, PageHeader } from "~/components/ui/page";
import { Time } from "~/components/ui/time";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { getHealth } from "~/server/health/health.server";
import { HEALTH_AREAS, type HealthArea } from "~/server/health/score";
import { page, requirePageFeature } from "~/server/http/page.server";
import { pageAgent } from "~/server/http/agent-choice.server";
import { AgentPicker } from "~/components/agents/agent-picker";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("health");
  const actor = await requireUserWithPermission(request, context, "read:health");
  const { agentId, picker } = await pageAgent(actor, request, context);
  return { ...(await getHealth(actor, agentId)), picker };
});

const TITLES: Record<HealthArea, string> = {
  certificates: "TLS certificates",
  database: "Database",
  system: "System",
  docker: "Docker engine",
  nginx: "nginx",
  containers: "Containers",
  proxies: "Proxy hosts",
  alerts: "Alerts",
  monitors: "Uptime monitors",
};
const TONE = { ok: "good", warn: "warn", fail: "bad" } as const;

export default function HealthPage() {
  const health = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  useEffect(() => {
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 30_000);
    return () => clearInterval(timer);
  }, [revalidator]);
  return (
    <>
      <PageHeader title="Health" description="How this installation is doing, and why.">
        <button type="button" className={BUTTON.secondary} onClick={() => revalidator.revalidate()} disabled={revalidator.state !== "idle"}>
          {revalidator.state === "idle" ? "Check again" : "Checking…"}
        </button>
      </PageHeader>
      <AgentPicker picker={health.picker} />
      <Card className="mb-6">
        <div className="flex flex-col items-start gap-4 sm:flex-row sm:items-center sm:gap-6">
          <ScoreRing score={health.score} status={health.status} size={120} label="Overall health" />
          <div className="min-w-0">
            <p className="text-lg font-semibold">
              Overall <Badge tone={TONE[health.status]}>{health.status === "ok" ? "Healthy" : health.status === "warn" ? "Needs attention" : "Failing"}</Badge>
            </p>
            <p className="text-sm text-slate-500 dark:text-slate-400">
              Checked <Time iso={health.checkedAt} seconds />. The overall score is the mean of the areas, below 50 while any area fails and below 80 while
              any needs attention.
            </p>
            {health.reasons.length > 0 ? (
              <ul className="mt-2 list-disc pl-4 text-sm text-slate-700 dark:text-slate-300" data-testid="health-reasons">
                {health.reasons.slice(0, 6).map((r, i) => (
                  <li key={i} className="break-words">
                    {r}
                  </li>
                ))}
                {health.reasons.length > 6 ? <li>… and {health.reasons.length - 6} more below</li> : null}
              </ul>
            ) : null}
          </div>
        </div>
      </Card>
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        {HEALTH_AREAS.map((area) => {
          const a = health.areas[area];
          return (
            <section key={area} data-testid={`health-${area}`} data-status={a.status} className="flex gap-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
              <ScoreRing score={a.score} status={a.status} label={TITLES[area]} />
              <div className="min-w-0">
                <h2 className="font-semibold">{TITLES[area]}</h2>
                <ul className="mt-1 list-disc pl-4 text-sm text-slate-600 dark:text-slate-400">
                  {a.reasons.map((r, i) => (
                    <li key={i} className="break-words">
                      {r}
                    </li>
                  ))}
                </ul>
              </div>
            </section>
          );
        })}
      </div>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Health · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
