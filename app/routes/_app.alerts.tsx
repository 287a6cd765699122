import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ChannelForm } from "~/components/alerts/channel-form";
import { ChannelList } from "~/components/alerts/channel-list";
import { HistoryFilter, HistoryTable } from "~/components/alerts/history-table";
import { RuleForm } from "~/components/alerts/rule-form";
import { RuleList } from "~/components/alerts/rule-list";
import { RouteErrorBoundary } from "~/components/route-error";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { can } from "~/permissions";
import { listChannels } from "~/server/alerts/channels.server";
import { listHistory } from "~/server/alerts/history.server";
import { runAlertsAction, type AlertsActionResult } from "~/server/alerts/page-actions.server";
import { listRules } from "~/server/alerts/rules.server";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { page, readForm, requirePageFeature } from "~/server/http/page.server";
import { HistoryQuerySchema } from "~/validation/alerts";

const TABS = [
  { id: "history", label: "History" },
  { id: "rules", label: "Rules" },
  { id: "channels", label: "Channels" },
] as const;
type Tab = (typeof TABS)[number]["id"];

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("alerts");
  const actor = await requireUserWithPermission(request, context, "read:alert");
  const params = Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v !== ""));
  const tab: Tab = TABS.some((t) => t.id === params.tab) ? (params.tab as Tab) : "history";
  const query = HistoryQuerySchema.safeParse(params);
  const filter = query.success ? query.data : HistoryQuerySchema.parse({});
  const [channels, rules, history] = await Promise.all([listChannels(actor), listRules(actor), tab === "history" ? listHistory(actor, { ...filter, limit: 100 }) : null]);
  return {
    tab,
    channels: channels.items,
    rules: rules.items,
    history: history?.items ?? [],
    nextCursor: history?.nextCursor ?? null,
    filter: { state: filter.state, q: filter.q },
    canManage: can(actor.role, "manage:alert"),
  };
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("alerts");
  const actor = await requireUserWithPermission(request, context, "manage:alert");
  return runAlertsAction(actor, await readForm(request));
});

export default function AlertsPage() {
  const { tab, channels, rules, history, nextCursor, filter, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as AlertsActionResult | undefined;
  const navigation = useNavigation();
  const pendingIntent = navigation.state !== "idle" ? String(navigation.formData?.get("intent") ?? "") : "";
  const channelNames = Object.fromEntries(channels.map((c) => [c.id, c.name]));
  return (
    <>
      <PageHeader title="Alerts" description="Who is told what, when containers, certificates or proxies go wrong." />
      <nav aria-label="Alerts sections" className="mb-4 flex gap-1 border-b border-slate-200 dark:border-slate-800">
        {TABS.map((t) => (
          <Link
            key={t.id}
            to={`?tab=${t.id}`}
            aria-current={tab === t.id ? "page" : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${tab === t.id ? "border-brand-600 text-brand-700 dark:text-brand-300" : "border-transparent text-slate-500 hover:text-slate-800 dark:hover:text-slate-200"}`}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      {result?.ok ? (
        <p role="status" className="mb-4 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
          {result.message}
        </p>
      ) : null}
      {tab === "history" ? (
        <Card title="History">
          <HistoryFilter state={filter.state} q={filter.q} />
          {history.length ? <HistoryTable items={history} channelNames={channelNames} canManage={canManage} /> : <EmptyState title="Nothing has fired">Alerts appear here when a rule fires, with what was sent to whom.</EmptyState>}
          {nextCursor ? (
            <Link to={`?tab=history&cursor=${encodeURIComponent(nextCursor)}`} className="mt-4 inline-block text-sm text-brand-600 hover:underline">
              Older alerts
            </Link>
          ) : null}
        </Card>
      ) : null}
      {tab === "rules" ? (
        <div className="flex flex-col gap-6">
          <Card title={`Rules (${rules.length})`}>
            {rules.length ? <RuleList rules={rules} channelNames={channelNames} canManage={canManage} /> : <EmptyState title="No rules yet">Add a rule below: a crash rule on all containers is a good start.</EmptyState>}
          </Card>
          {canManage ? (
            <Card title="Add a rule">
              <RuleForm channels={channels} result={result} pending={pendingIntent === "create-rule"} />
            </Card>
          ) : null}
        </div>
      ) : null}
      {tab === "channels" ? (
        <div className="flex flex-col gap-6">
          <Card title={`Channels (${channels.length})`}>
            {channels.length ? <ChannelList channels={channels} canManage={canManage} /> : <EmptyState title="No channels yet">Add e-mail, a chat webhook or a push service below, then press Send test.</EmptyState>}
          </Card>
          {canManage ? (
            <Card title="Add a channel">
              <ChannelForm result={result} pending={pendingIntent === "create-channel"} />
            </Card>
          ) : null}
        </div>
      ) : null}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Alerts · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
