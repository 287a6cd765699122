import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ExportButtons } from "~/components/logs/export-buttons";
import { LiveLogStream, type LiveSelection } from "~/components/logs/live-stream";
import { formatBytes, LogRows } from "~/components/logs/log-rows";
import { RouteErrorBoundary } from "~/components/route-error";
import { BUTTON } from "~/components/ui/button-classes";
import { formFailure } from "~/server/http/form-failure.server";
import { Field, FormError, PlanLimitLink, SubmitButton } from "~/components/ui/field";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { SelectField } from "~/components/ui/select-field";
import { can } from "~/permissions";
import { pageAgent } from "~/server/http/agent-choice.server";
import { AgentOffline, AgentPicker, NoAgents } from "~/components/agents/agent-picker";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { zodFieldErrors } from "~/server/http/api.server";
import { page, parseForm, redirectWithToast, requirePageFeature } from "~/server/http/page.server";
import { listLogs } from "~/server/logs/log-query.server";
import { getLogSettings, getLogUsage, updateLogSettings } from "~/server/logs/log-retention.server";
import { listLogSourceChoices } from "~/server/logs/log-sources.server";
import { listProxyLogSources } from "~/server/logs/proxy-log.server";
import { LOG_LEVELS, LogQuerySchema, LogSettingsFormSchema } from "~/validation/logs";

const RANGES = { live: 0, "15m": 15 * 60_000, "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, all: 0, custom: 0 } as const;
type Range = keyof typeof RANGES;
const TEXT_FILTERS = ["q", "containerId", "stack", "proxyHostId", "from", "to"] as const;

/** The form speaks UTC `datetime-local` values and named ranges; the schema takes ISO times. */
function toQuery(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of ["q", "stack", "proxyHostId"] as const) {
    const v = params.get(key)?.trim();
    if (v) query[key] = v;
  }
  const containers = containerIdsOf(params);
  if (containers.length) query.containerId = containers.join(",");
  if (params.get("regex") === "on") query.regex = "true";
  const levels = params.getAll("level").filter(Boolean);
  if (levels.length) query.level = levels;
  const range = (params.get("range") ?? "24h") as Range;
  if (range === "custom") {
    for (const key of ["from", "to"] as const) {
      const v = params.get(key)?.trim();
      if (v) query[key] = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v) ? `${v}:00.000Z` : v;
    }
  } else if (RANGES[range]) {
    query.from = new Date(Date.now() - RANGES[range]).toISOString();
  }
  return query;
}

/** Container ids as ticked boxes (repeated) or typed (comma-separated), in order, once each. */
function containerIdsOf(params: URLSearchParams): string[] {
  return [...new Set(params.getAll("containerId").flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean))];
}

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("logs");
  const actor = await requireUserWithPermission(request, context, "read:logs");
  const params = new URL(request.url).searchParams;
  const values = {
    ...(Object.fromEntries(TEXT_FILTERS.map((k) => [k, params.get(k) ?? ""])) as Record<(typeof TEXT_FILTERS)[number], string>),
    containerId: containerIdsOf(params).join(","),
    range: params.get("range") ?? "24h",
    regex: params.get("regex") === "on",
    level: params.getAll("level"),
  };
  // The chosen agent's containers are offered and followed live; the stored history is the organization's.
  const { agentId, agent, picker } = await pageAgent(actor, request, context);
  const [settings, usage, proxyHosts, choices] = await Promise.all([
    getLogSettings(actor),
    getLogUsage(actor, { days: 7 }),
    listProxyLogSources(actor),
    agentId ? listLogSourceChoices(actor, agentId) : { agentId: "", containers: [], stacks: [], unreachable: null },
  ]);
  const shared = { values, settings, usage: usage.items, proxyHosts, choices, agent, picker, canManage: can(actor.role, "manage:settings"), live: null as LiveSelection | null };
  if (values.range === "live" && agentId) {
    // Live lines come over /ui straight from Docker and nginx's logs (LiveLogStream); history is not queried.
    const containerIds = values.containerId.split(",").filter(Boolean);
    const proxyHostIds = values.proxyHostId ? [values.proxyHostId] : [];
    // No container or stack chosen: all containers, unless only a proxy host is chosen.
    const containers: Omit<LiveSelection, "agentId"> = containerIds.length ? { containerIds } : values.stack.trim() ? { stack: values.stack.trim() } : proxyHostIds.length ? {} : { all: true };
    const live: LiveSelection = { agentId, ...containers, ...(proxyHostIds.length ? { proxyHostIds } : {}) };
    return { ...shared, live, errors: {} as Record<string, string>, items: [], nextCursor: null, exportQuery: null, paged: false };
  }
  const parsed = LogQuerySchema.safeParse({ ...toQuery(params), cursor: params.get("cursor") || undefined });
  if (!parsed.success) return { ...shared, errors: zodFieldErrors(parsed.error), items: [], nextCursor: null, exportQuery: null, paged: false };
  const { cursor, limit: _limit, ...filters } = parsed.data;
  try {
    const { items, nextCursor } = await listLogs(actor, filters, { limit: 200, cursor });
    const exportQuery = new URLSearchParams(Object.entries(toQuery(params)).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString();
    return { ...shared, errors: {} as Record<string, string>, items, nextCursor, exportQuery, paged: Boolean(cursor) };
  } catch (error) {
    const fields = (error as { fields?: Record<string, string>; status?: number }).status === 400 ? ((error as { fields?: Record<string, string> }).fields ?? { _: (error as Error).message }) : null;
    if (!fields) throw error;
    return { ...shared, errors: { ...fields, _: (error as Error).message }, items: [], nextCursor: null, exportQuery: null, paged: false };
  }
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  const actor = await requireUserWithPermission(request, context, "manage:settings");
  const form = await parseForm(request, LogSettingsFormSchema);
  if (!form.ok) return { fields: form.fields, code: "validation_failed" };
  try {
    await updateLogSettings(actor, form.data);
  } catch (error) {
    // Past the plan's retention (SaaS): said next to the field, with the way to the plan page.
    const failure = formFailure(error);
    return { fields: { retentionDays: failure.message } as Record<string, string>, code: failure.code };
  }
  return redirectWithToast("/logs", { kind: "success", message: `Logs are now kept for ${form.data.retentionDays} days.` });
});

export default function LogsPage() {
  const { values, errors, items, nextCursor, exportQuery, paged, settings, usage, proxyHosts, choices, agent, picker, canManage, live } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const actionErrors = actionData?.fields;
  const navigation = useNavigation();
  const search = new URLSearchParams(
    Object.entries(values).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : v === true ? [[k, "on"]] : v ? [[k, String(v)]] : [])),
  ).toString();
  const highlight = values.q || null;
  const hostNames = Object.fromEntries(proxyHosts.map((h) => [h.id, h.domains[0] ?? h.id]));
  return (
    <>
      <PageHeader title="Logs" description="Searchable history of every container's output and every proxy host's access and error logs, kept per your retention setting.">
        {exportQuery !== null ? <ExportButtons query={exportQuery} /> : null}
      </PageHeader>
      <AgentPicker picker={picker} />
      {picker.agentId && choices.unreachable && agent?.kind === "remote" && agent.status === "offline" ? <AgentOffline agent={agent} message={choices.unreachable} /> : null}
      <div className="flex flex-col gap-6">
        <Card title="Filter">
          <Form method="get" className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4" aria-label="Filter the logs">
            {picker.show && picker.agentId ? <input type="hidden" name="agent" value={picker.agentId} /> : null}
            <Field label="Search" name="q" required={false} defaultValue={values.q} error={errors.q} hint="Text (any case), or a regular expression" />
            <SelectField
              label="Time"
              name="range"
              defaultValue={values.range}
              options={[
                { value: "live", label: "Live" },
                { value: "15m", label: "Last 15 minutes" },
                { value: "1h", label: "Last hour" },
                { value: "24h", label: "Last 24 hours" },
                { value: "7d", label: "Last 7 days" },
                { value: "all", label: "Everything kept" },
                { value: "custom", label: "Custom range (below)" },
              ]}
            />
            <Field label="From (UTC)" name="from" type="datetime-local" required={false} defaultValue={values.from} error={errors.from} />
            <Field label="To (UTC)" name="to" type="datetime-local" required={false} defaultValue={values.to} error={errors.to} />
            <ContainerChoices choices={choices} chosen={values.containerId.split(",").filter(Boolean)} error={errors.containerId} />
            <SelectField
              label="Stack"
              name="stack"
              defaultValue={values.stack}
              error={errors.stack}
              hint="A whole compose project (when no container is ticked)"
              options={[{ value: "", label: "Any" }, ...[...new Set([...choices.stacks, ...(values.stack ? [values.stack] : [])])].map((s) => ({ value: s, label: s }))]}
            />
            {proxyHosts.length > 0 || values.proxyHostId ? (
              <SelectField
                label="Proxy host"
                name="proxyHostId"
                defaultValue={values.proxyHostId}
                error={errors.proxyHostId}
                hint="Its access and error logs; live, they join the chosen containers"
                options={[{ value: "", label: "None" }, ...proxyHosts.map((h) => ({ value: h.id, label: h.domains.join(", ") || h.id }))]}
              />
            ) : null}
            <fieldset className="flex flex-col gap-1 sm:col-span-2">
              <legend className="text-sm font-medium">Levels</legend>
              <div className="flex flex-wrap gap-3 pt-1">
                {LOG_LEVELS.map((level) => (
                  <label key={level} className="flex items-center gap-1 text-sm">
                    <input type="checkbox" name="level" value={level} defaultChecked={values.level.includes(level)} /> {level}
                  </label>
                ))}
                <label className="ml-4 flex items-center gap-1 text-sm">
                  <input type="checkbox" name="regex" defaultChecked={values.regex} /> Search is a regular expression
                </label>
              </div>
            </fieldset>
            <div className="flex flex-wrap items-center gap-3 sm:col-span-2 lg:col-span-4">
              <SubmitButton pending={navigation.state === "loading" && navigation.location.pathname === "/logs"}>Search</SubmitButton>
              <Link to="/logs" className="text-sm text-brand-600 hover:underline dark:text-brand-300">
                Reset
              </Link>
            </div>
          </Form>
          <FormError message={errors._ ?? errors.cursor ?? errors.level} />
        </Card>
        {values.range === "live" && !picker.agentId ? (
          <NoAgents picker={picker} lead="Live logs come from the Docker hosts of your organization." />
        ) : live ? (
          <Card>
            <LiveLogStream key={JSON.stringify(live)} selection={live} q={values.q} regex={values.regex} levels={values.level} historyHref={(from, to) => historyHref(search, from, to)} />
          </Card>
        ) : (
          <Card>
            {paged ? (
              <p className="mb-3 text-sm text-slate-500 dark:text-slate-400">
                Showing older lines. <Link to={search ? `/logs?${search}` : "/logs"} className="text-brand-600 hover:underline dark:text-brand-300">Back to the newest</Link>
              </p>
            ) : null}
            {items.length === 0 ? (
              <EmptyState title="No log lines match">Try a wider time range or fewer filters. Lines appear here once containers print them.</EmptyState>
            ) : (
              <div className="overflow-x-auto">
                <table className="w-full text-sm">
                  <thead className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:text-slate-400">
                    <tr>
                      {["Time (UTC)", "Source", "Level", "Message"].map((c) => (
                        <th key={c} scope="col" className="py-2 pr-3 font-medium">
                          {c}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody key={search} className="divide-y divide-slate-100 dark:divide-slate-800">
                    <LogRows items={items} nextCursor={nextCursor} search={search} highlight={highlight} regex={values.regex} hostNames={hostNames} />
                  </tbody>
                </table>
              </div>
            )}
          </Card>
        )}
        <Card title="Retention and usage">
          <div className="grid gap-6 md:grid-cols-2">
            {canManage ? (
              <div>
                <Form method="post" className="flex items-end gap-3" aria-label="Log retention">
                  <Field label="Keep logs for (days)" name="retentionDays" type="number" defaultValue={String(settings.retentionDays)} error={actionErrors?.retentionDays} />
                  <button type="submit" className={BUTTON.secondary}>
                    Save
                  </button>
                </Form>
                {actionData?.code === "plan_limit" ? (
                  <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
                    <PlanLimitLink />
                  </p>
                ) : null}
              </div>
            ) : (
              <p className="text-sm">Logs are kept for {settings.retentionDays} days.</p>
            )}
            <div className="text-sm">
              <p className="mb-2 font-medium">Ingested per day (UTC)</p>
              {usage.length === 0 ? (
                <p className="text-slate-500 dark:text-slate-400">Nothing ingested in the last 7 days.</p>
              ) : (
                <table className="w-full" data-testid="log-usage">
                  <tbody>
                    {usage.map((d) => (
                      <tr key={d.date}>
                        <td className="pr-3 font-mono text-xs">{d.date}</td>
                        <td className="pr-3 text-right">{d.lines.toLocaleString("en")} lines</td>
                        <td className="text-right">{formatBytes(d.bytes)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          </div>
        </Card>
      </div>
    </>
  );
}

/** Any set of containers, ticked; none ticked means all of them (or the chosen stack). */
function ContainerChoices({ choices, chosen, error }: { choices: { containers: { id: string; name: string; stack: string | null; running: boolean }[]; unreachable: string | null }; chosen: string[]; error?: string }) {
  const known = new Set(choices.containers.map((c) => c.id));
  // Ids in the address that the list does not have (removed containers, short ids) stay chosen.
  const extra = chosen.filter((id) => !known.has(id) && !choices.containers.some((c) => c.id.startsWith(id)));
  const isChosen = (id: string) => chosen.some((c) => c === id || (c.length >= 12 && id.startsWith(c)));
  return (
    <fieldset className="flex flex-col gap-1 sm:col-span-2" aria-describedby="containers-hint">
      <legend className="text-sm font-medium">Containers</legend>
      <div className="max-h-40 overflow-auto rounded-md border border-slate-300 bg-white p-2 dark:border-slate-700 dark:bg-slate-900" data-testid="container-choices">
        {choices.containers.length === 0 && extra.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">{choices.unreachable ? `Docker cannot be reached: ${choices.unreachable}` : "No containers yet."}</p>
        ) : null}
        {choices.containers.map((c) => (
          <label key={c.id} className="flex items-center gap-2 py-0.5 text-sm">
            <input type="checkbox" name="containerId" value={c.id} defaultChecked={isChosen(c.id)} />
            <span className="truncate font-mono text-xs">{c.name}</span>
            {c.stack ? <span className="truncate text-xs text-slate-500 dark:text-slate-400">{c.stack}</span> : null}
            {c.running ? null : <span className="text-xs text-slate-500 dark:text-slate-400">(stopped)</span>}
          </label>
        ))}
        {extra.map((id) => (
          <label key={id} className="flex items-center gap-2 py-0.5 text-sm">
            <input type="checkbox" name="containerId" value={id} defaultChecked />
            <span className="truncate font-mono text-xs">{id.slice(0, 12)}</span>
            <span className="text-xs text-slate-500 dark:text-slate-400">(no longer present)</span>
          </label>
        ))}
      </div>
      <p id="containers-hint" className="text-xs text-slate-500 dark:text-slate-400">
        None ticked: every container (or the stack below); with only a proxy host chosen, just its logs.
      </p>
      {error ? <p className="text-xs text-red-600 dark:text-red-400">{error}</p> : null}
    </fieldset>
  );
}

/** The persisted history of exactly the span the live view showed, with the same filters. */
function historyHref(search: string, from: string, to: string): string {
  const params = new URLSearchParams(search);
  params.set("range", "custom");
  params.set("from", from);
  params.set("to", to);
  return `/logs?${params}`;
}

export const meta: MetaFunction = () => [{ title: "Logs · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
