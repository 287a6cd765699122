import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { ScrollTabs } from "~/components/ui/scroll-tabs";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ChannelForm } from "~/components/alerts/channel-form";
import { ChannelList } from "~/components/alerts/channel-list";
import { HistoryFilter, HistoryTable, type HistoryFilterValues } from "~/components/alerts/history-table";
import { RuleForm } from "~/components/alerts/rule-form";
import { RuleList } from "~/components/alerts/rule-list";
import { RouteErrorBoundary } from "~/components/route-error";
import { CreatePanel } from "~/components/ui/create-panel";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { can } from "~/permissions";
import { listChannels } from "~/server/alerts/channels.server";
import { listHistory } from "~/server/alerts/history.server";
import { runAlertsAction, type AlertsActionResult } from "~/server/alerts/page-actions.server";
import { listRules } from "~/server/alerts/rules.server";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { zodFieldErrors } from "~/server/http/api.server";
import { page, readForm, redirectWithToast, requirePageFeature } from "~/server/http/page.server";
import { HistoryQuerySchema } from "~/validation/alerts";

const TABS = [
  { id: "history", label: "History" },
  { id: "rules", label: "Rules" },
  { id: "channels", label: "Channels" },
] as const;
type Tab = (typeof TABS)[number]["id"];

const FILTERS = ["ruleId", "state", "acknowledged", "q", "from", "to"] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const PAGE_SIZE = 50;

/** The filter form speaks whole UTC days (date inputs); the schema and the API take ISO times. */
function historyQuery(values: HistoryFilterValues): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of FILTERS) {
    const v = values[key]?.trim();
    if (!v) continue;
    if (key === "from") query.from = DAY.test(v) ? `${v}T00:00:00.000Z` : v;
    else if (key === "to") query.to = DAY.test(v) ? `${v}T23:59:59.999Z` : v;
    else query[key] = v;
  }
  return query;
}

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("alerts");
  const actor = await requireUserWithPermission(request, context, "read:alert");
  const params = new URL(request.url).searchParams;
  const tabParam = params.get("tab");
  const tab: Tab = TABS.some((t) => t.id === tabParam) ? (tabParam as Tab) : "history";
  const values: HistoryFilterValues = { ruleId: "", state: "", acknowledged: "", q: "", from: "", to: "" };
  for (const k of FILTERS) values[k] = params.get(k) ?? "";
  const alert = params.get("alert") || undefined;
  const parsed = HistoryQuerySchema.safeParse({
    ...historyQuery(values),
    alert,
    cursor: params.get("cursor") || undefined,
    limit: PAGE_SIZE,
  });
  const errors = parsed.success ? {} : zodFieldErrors(parsed.error);
  const [channels, rules, history] = await Promise.all([listChannels(actor), listRules(actor), tab === "history" && parsed.success ? listHistory(actor, parsed.data) : null]);
  return {
    tab,
    channels: channels.items,
    rules: rules.items,
    history: history?.items ?? [],
    nextCursor: history?.nextCursor ?? null,
    values,
    errors: errors as Record<string, string>,
    paged: Boolean(params.get("cursor")),
    edit: params.get("edit"),
    alert: alert ?? null,
    canManage: can(actor.role, "manage:alert"),
  };
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("alerts");
  const actor = await requireUserWithPermission(request, context, "manage:alert");
  const result = await runAlertsAction(actor, await readForm(request));
  // A saved edit closes the edit form: back to the list, with the outcome as a toast.
  if (result.ok && result.intent === "update-channel") return redirectWithToast("/alerts?tab=channels", { kind: "success", message: result.message });
  return result;
});

export default function AlertsPage() {
  const { tab, channels, rules, history, nextCursor, values, errors, paged, edit, alert, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as AlertsActionResult | undefined;
  const navigation = useNavigation();
  const pendingIntent = navigation.state === "submitting" ? String(navigation.formData?.get("intent") ?? "") : "";
  const pendingId = pendingIntent === "update-rule" ? String(navigation.formData?.get("id") ?? "") : null;
  const editedChannel = tab === "channels" && edit ? channels.find((c) => c.id === edit) : undefined;
  const channelNames = Object.fromEntries(channels.map((c) => [c.id, c.name]));
  // The filters in use (without the cursor): what "Load more" and the table's identity depend on.
  const filterSearch = new URLSearchParams(Object.entries(values).filter(([, v]) => v)).toString();
  const filtering = navigation.state === "loading" && navigation.location.pathname === "/alerts" && navigation.location.search.includes("tab=history");
  return (
    <>
      <PageHeader title="Alerts" description="Who is told what, when containers, certificates or proxies go wrong." />
      <ScrollTabs label="Alerts sections">
        {TABS.map((t) => (
          <Link
            key={t.id}
            to={`?tab=${t.id}`}
            aria-current={tab === t.id ? "page" : undefined}
            className={`-mb-px whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium ${
              tab === t.id ? "border-brand-600 text-brand-700 dark:text-brand-300" : "border-transparent text-slate-500 hover:text-slate-800 dark:hover:text-slate-200 dark:text-slate-400"
            }`}
          >
            {t.label}
          </Link>
        ))}
      </ScrollTabs>
      {result?.ok ? (
        <p
          role="status"
          className="mb-4 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
        >
          {result.message}
        </p>
      ) : null}
      {tab === "history" ? (
        <Card title="History">
          {alert ? (
            <p className="mb-3 text-sm text-slate-600 dark:text-slate-400" data-testid="alert-focus">
              Showing the {alert.includes(",") ? "alerts" : "alert"} from the notification.{" "}
              <Link to="?tab=history" className="text-brand-600 underline dark:text-brand-300">
                Show all alerts
              </Link>
            </p>
          ) : (
            <HistoryFilter values={values} errors={errors} rules={rules} pending={filtering} />
          )}
          {paged ? (
            <p className="mb-3 text-sm text-slate-500 dark:text-slate-400">
              Showing older alerts.{" "}
              <Link to={`?tab=history${filterSearch ? `&${filterSearch}` : ""}`} className="text-brand-600 hover:underline dark:text-brand-300">
                Back to the newest
              </Link>
            </p>
          ) : null}
          {history.length ? (
            <HistoryTable items={history} nextCursor={nextCursor} search={filterSearch} channelNames={channelNames} canManage={canManage} />
          ) : filterSearch ? (
            <EmptyState title="No alerts match these filters">Try a wider time range or fewer filters.</EmptyState>
          ) : (
            <EmptyState title="Nothing has fired">Alerts appear here when a rule fires, with what was sent to whom.</EmptyState>
          )}
        </Card>
      ) : null}
      {tab === "rules" ? (
        <div className="flex flex-col gap-6">
          <Card title={`Rules (${rules.length})`}>
            {rules.length ? (
              <RuleList rules={rules} channelNames={channelNames} canManage={canManage} edit={{ channels, result, pendingId, initialEdit: edit }} />
            ) : (
              <EmptyState title="No rules yet">Add a rule below: a crash rule on all containers is a good start.</EmptyState>
            )}
          </Card>
          {canManage ? (
            <CreatePanel title="Add a rule" addLabel="Add another rule" intent="create-rule" result={result} doneMessage="The rule was added; it is in the list above.">
              <RuleForm channels={channels} result={result} pending={pendingIntent === "create-rule"} />
            </CreatePanel>
          ) : null}
        </div>
      ) : null}
      {tab === "channels" ? (
        <div className="flex flex-col gap-6">
          <Card title={`Channels (${channels.length})`}>
            {channels.length ? (
              <ChannelList channels={channels} canManage={canManage} />
            ) : (
              <EmptyState title="No channels yet">Add e-mail, a chat webhook or a push service below, then press Send test.</EmptyState>
            )}
          </Card>
          {canManage && editedChannel ? (
            <Card title={`Edit ${editedChannel.name}`}>
              <div id="channel-form">
                <ChannelForm key={editedChannel.id} channel={editedChannel} result={result} pending={pendingIntent === "update-channel"} />
                <Link to="?tab=channels" className="mt-3 inline-block text-sm text-brand-600 hover:underline dark:text-brand-300">
                  Cancel editing
                </Link>
              </div>
            </Card>
          ) : canManage ? (
            <CreatePanel title="Add a channel" addLabel="Add another channel" intent="create-channel" result={result} doneMessage="The channel was added; press Send test in the list to try it. Its secrets are not kept on this page.">
              <ChannelForm result={result} pending={pendingIntent === "create-channel"} />
            </CreatePanel>
          ) : null}
        </div>
      ) : null}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Alerts · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
