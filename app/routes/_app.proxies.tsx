import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { formFieldName, hostBodyFromForm } from "~/components/proxy/form-body";
import { DefaultSiteForm, defaultSiteBodyFromForm, type DefaultSiteFormResult } from "~/components/proxy/default-site-form";
import { HostStatus } from "~/components/proxy/host-status";
import { ProxySectionNav } from "~/components/proxy/section-nav";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { containerTargets } from "~/server/proxy/container-targets.server";
import { getProxySettings, updateProxySettings } from "~/server/proxy/settings.server";
import { ProxyHostForm, type HostFormResult } from "~/components/proxy/proxy-host-form";
import { RouteErrorBoundary } from "~/components/route-error";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { Time } from "~/components/ui/time";
import { can } from "~/permissions";
import { pageAgent, pathOnAgent } from "~/server/http/agent-choice.server";
import { AgentPicker, NoAgents } from "~/components/agents/agent-picker";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, readForm, redirectWithToast, requirePageFeature } from "~/server/http/page.server";
import { listAccessLists } from "~/server/proxy/access-lists.server";
import { listCertificates } from "~/server/certs/certificates.server";
import { TlsState } from "~/components/proxy/tls-state";
import { monitorThisHref } from "~/components/monitors/monitor-this";
import { Reachability } from "~/components/proxy/reachability";
import { nginxState } from "~/server/proxy/boot.server";
import type { Reachability as ReachabilityResult } from "~/server/proxy/reachability.server";
import type { ProxyHostDto } from "~/server/proxy/dto.server";
import { applyProxies, createProxyHost, deleteProxyHost, getApplyStatus, listProxyHosts, updateProxyHost } from "~/server/proxy/hosts.server";
import { TableHead } from "~/components/ui/table-head";
import { CreatePanel } from "~/components/ui/create-panel";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("proxies");
  const actor = await requireUserWithPermission(request, context, "read:proxy");
  const { agentId, picker } = await pageAgent(actor, request, context);
  const canManage = can(actor.role, "manage:proxy");
  if (!agentId) return { noAgent: true as const, picker };
  const [{ items }, lists, status, certs, settings, containers] = await Promise.all([
    listProxyHosts(actor, agentId),
    listAccessLists(actor),
    getApplyStatus(actor, agentId),
    can(actor.role, "read:certificate") ? listCertificates(actor) : { items: [] },
    getProxySettings(actor, agentId),
    canManage && can(actor.role, "read:container") ? containerTargets(actor, agentId) : null,
  ]);
  const nginx = await nginxState(actor, agentId);
  const editId = new URL(request.url).searchParams.get("edit");
  return {
    noAgent: false as const,
    picker,
    agentId,
    nginxProblem: nginx.problem,
    hosts: items,
    accessLists: lists.items.map((l) => ({ id: l.id, name: l.name })),
    defaultSite: settings.defaultSite,
    containers,
    nginxMode: nginx.mode,
    certificates: certs.items.map((c) => ({
      id: c.id,
      label: `${c.domains.join(", ")}${c.mode === "custom" ? " (uploaded)" : ""}`,
      mode: c.mode,
      status: c.status,
      error: c.error,
      notAfter: c.notAfter,
      renewing: c.renewing,
      expired: c.expired,
      progress: c.progress,
    })),
    status,
    editing: items.find((h) => h.id === editId) ?? null,
    canManage,
    canAdvanced: can(actor.role, "manage:proxy-advanced"),
  };
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("proxies");
  const actor = await requireUserWithPermission(request, context, "manage:proxy");
  const form = await readForm(request);
  // The agent the page showed: its form's field, else the URL's ?agent= the form posted to, else the remembered one.
  const { agentId } = await pageAgent(actor, request, context, { requested: String(form.get("agentId") ?? "") || new URL(request.url).searchParams.get("agent"), remember: false });
  if (!agentId) return { ok: false, message: "This organization has no agent yet.", fields: {} } satisfies HostFormResult;
  const intent = String(form.get("intent") ?? "");
  const id = String(form.get("id") ?? "");
  try {
    if (intent === "create" || intent === "update") {
      // Answers once nginx accepted the change and was signalled; the list shows pending → ok live.
      const host = intent === "create" ? await createProxyHost(actor, agentId, hostBodyFromForm(form), { wait: false }) : await updateProxyHost(actor, agentId, id, hostBodyFromForm(form), { wait: false });
      const ok = host.status.state !== "error";
      const live = host.status.state === "ok" ? `${host.domains[0]} is live.` : `${host.domains[0]} was saved; nginx is reloading.`;
      return redirectWithToast(pathOnAgent("/proxies", agentId), { kind: ok ? "success" : "error", message: ok ? live : `${host.domains[0]} was saved but nginx refused it: see its status.` });
    }
    if (intent === "delete") {
      await deleteProxyHost(actor, agentId, id);
      return redirectWithToast(pathOnAgent("/proxies", agentId), {
        kind: "success",
        message: "The host was removed.",
      });
    }
    if (intent === "default-site") {
      try {
        const saved = await updateProxySettings(actor, agentId, defaultSiteBodyFromForm(form));
        return redirectWithToast(pathOnAgent("/proxies", agentId), {
          kind: saved.apply.ok ? "success" : "error",
          message: saved.apply.ok ? "Default site saved and applied." : `Saved, but nginx refused the configuration: ${saved.apply.message ?? ""}`.slice(0, 280),
        });
      } catch (error) {
        const failure = formFailure(error);
        return {
          ...failure,
          intent: "default-site",
          fields: Object.fromEntries(Object.entries(failure.fields).map(([k, v]) => [k.replace(/^defaultSite\.?/, "") || "mode", v])),
        } satisfies DefaultSiteFormResult;
      }
    }
    if (intent === "apply") {
      const outcome = await applyProxies(actor, agentId);
      return redirectWithToast(pathOnAgent("/proxies", agentId), {
        kind: outcome.ok ? "success" : "error",
        message: outcome.ok ? "Configuration applied." : `nginx refused the configuration: ${outcome.message ?? ""}`.slice(0, 280),
      });
    }
    return {
      ok: false,
      message: "Unknown action.",
      fields: {},
    } satisfies HostFormResult;
  } catch (error) {
    const failure = formFailure(error);
    return {
      ...failure,
      fields: Object.fromEntries(Object.entries(failure.fields).map(([k, v]) => [formFieldName(k), v])),
    } satisfies HostFormResult;
  }
});

export default function ProxiesPage() {
  const data = useLoaderData<typeof loader>();
  if (data.noAgent) {
    return (
      <>
        <PageHeader title="Proxies" />
        <ProxySectionNav />
        <NoAgents picker={data.picker} lead="Proxy hosts are served by the nginx of one of your organization's Docker hosts." />
      </>
    );
  }
  return <ProxiesOfAgent data={data} />;
}

function ProxiesOfAgent({ data }: { data: Exclude<ReturnType<typeof useLoaderData<typeof loader>>, { noAgent: true }> }) {
  const { agentId, nginxProblem: problem, hosts, accessLists, defaultSite, containers, nginxMode, certificates, status, editing, canManage, canAdvanced, picker } = data;
  const revalidator = useRevalidator();
  const reach = useFetcher<{ items: ReachabilityResult[] }>();
  const busy = hosts.some((h) => h.status.state === "pending") || certificates.some((c) => c.status === "pending" || c.renewing);
  // Hosts waiting for an apply or a certificate: refresh until they settle.
  useEffect(() => {
    if (!busy) return;
    const t = setInterval(() => revalidator.state === "idle" && document.visibilityState === "visible" && revalidator.revalidate(), 2000);
    return () => clearInterval(t);
  }, [busy, revalidator]);
  const reachLoad = reach.load;
  const hostKey = hosts.map((h) => h.id + h.updatedAt).join();
  useEffect(() => {
    if (!hostKey) return;
    const url = `/api/v1/agents/${agentId}/proxies/reachability`;
    reachLoad(url);
    const t = setInterval(() => document.visibilityState === "visible" && reachLoad(url), 15_000);
    return () => clearInterval(t);
  }, [agentId, hostKey, reachLoad]);
  const reachability = new Map((reach.data?.items ?? []).map((r) => [r.id, r]));
  const actionData = useActionData<typeof action>() as HostFormResult | DefaultSiteFormResult | undefined;
  const defaultSiteResult = actionData && "intent" in actionData ? actionData : undefined;
  const result = actionData && !("intent" in actionData) ? actionData : undefined;
  const navigation = useNavigation();
  const pendingIntent = navigation.state !== "idle" ? String(navigation.formData?.get("intent") ?? "") : "";
  const saving = ["create", "update"].includes(pendingIntent);
  const formProps = { accessLists, certificates, canAdvanced, containers, nginxMode, result, pending: saving };
  return (
    <>
      <PageHeader title="Proxies" description="Reverse-proxy and redirection hosts served by nginx. Every change is tested with nginx -t before it goes live.">
        {canManage ? (
          <Form method="post">
            <input type="hidden" name="intent" value="apply" />
            <button type="submit" className="rounded-md border border-slate-300 px-3 py-2 text-sm dark:border-slate-700">
              Re-apply all
            </button>
          </Form>
        ) : null}
      </PageHeader>
      <ProxySectionNav />
      <AgentPicker picker={picker} />
      <div className="flex flex-col gap-6">
        {problem ? (
          <div
            role="alert"
            data-testid="nginx-problem"
            className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200"
          >
            {problem}
          </div>
        ) : null}
        <Card title={`Hosts (${hosts.length})`}>
          <p className="mb-3 text-sm text-slate-600 dark:text-slate-400" data-testid="apply-status">
            Last apply: {status.state === "ok" ? "ok" : status.state === "error" ? "failed" : "not yet"}
            {status.appliedAt ? (
              <>
                {" "}
                · <Time iso={status.appliedAt} />
              </>
            ) : null}
            {status.state === "error" && status.message ? <span className="block whitespace-pre-wrap break-words text-red-700 dark:text-red-300">{status.message}</span> : null}
          </p>
          {hosts.length === 0 ? (
            <EmptyState title="No proxy hosts yet">{canManage ? "Add a domain and the address of the service behind it below." : "An administrator can add hosts here."}</EmptyState>
          ) : (
            <table className="block w-full text-sm md:table">
              <TableHead stackOnPhone columns={["Domains", "Target", "Upstream", "TLS", "Status", canManage && "Actions"]} />
              <tbody className="block divide-y divide-slate-200 md:table-row-group dark:divide-slate-800">
                {hosts.map((h) => (
                  <tr key={h.id} data-testid="proxy-row" data-domain={h.domains[0]} data-state={h.status.state} className="flex flex-col gap-2 py-3 md:table-row">
                    <td className="wrap-anywhere font-medium md:py-3 md:pr-3 md:align-top">
                      {h.domains.join(", ")}
                      {!h.enabled ? <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">(disabled)</span> : null}
                      <HostOptions host={h} accessLists={accessLists} />
                    </td>
                    <td className="wrap-anywhere text-slate-600 md:py-3 md:pr-3 md:align-top dark:text-slate-400">
                      <span className="text-xs text-slate-500 md:hidden dark:text-slate-400">Target </span>
                      {h.kind === "redirect"
                        ? `${h.redirect?.code} → ${h.redirect?.to}`
                        : h.upstream && "host" in h.upstream
                        ? `${h.upstream.scheme}://${h.upstream.host}:${h.upstream.port}`
                        : h.upstream
                        ? `container ${h.upstream.containerId}:${h.upstream.port}`
                        : ""}
                    </td>
                    <td className="md:py-3 md:pr-3 md:align-top">
                      <span className="text-xs text-slate-500 md:hidden dark:text-slate-400">Upstream </span>
                      {h.kind === "redirect" ? <span className="text-xs text-slate-500 dark:text-slate-400">—</span> : <Reachability result={reachability.get(h.id)} />}
                    </td>
                    <td className="md:py-3 md:pr-3 md:align-top">
                      <span className="text-xs text-slate-500 md:hidden dark:text-slate-400">TLS </span>
                      <TlsState mode={h.tls.mode} certificate={certificates.find((c) => c.id === h.tls.certificateId) ?? null} />
                    </td>
                    <td className="md:py-3 md:pr-3 md:align-top">
                      <HostStatus state={h.status.state} message={h.status.message} />
                    </td>
                    {canManage ? (
                      <td className="md:py-3 md:align-top">
                        <div className="flex flex-wrap items-center gap-3 md:flex-nowrap">
                          <Link to={`?edit=${h.id}#host-form`} className="text-brand-600 hover:underline dark:text-brand-300" aria-label={`Edit ${h.domains[0]}`}>
                            Edit
                          </Link>
                          {monitorThisHref(h) ? (
                            <Link to={monitorThisHref(h)!} className="whitespace-nowrap text-brand-600 hover:underline dark:text-brand-300" aria-label={`Monitor ${h.domains[0]}`}>
                              Monitor this
                            </Link>
                          ) : null}
                          <ConfirmDialog trigger="Delete" triggerLabel={`Delete ${h.domains[0]}`} title={`Delete ${h.domains[0]}?`} confirm="Delete host" fields={{ intent: "delete", id: h.id }}>
                            nginx stops serving {h.domains.join(", ")} as soon as the change is applied. Requests for it then get the default site.
                          </ConfirmDialog>
                        </div>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        {canManage && editing ? (
          <section id="host-form" aria-label={`Edit ${editing.domains[0]}`} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <div className="mb-3 flex items-center justify-between gap-3">
              <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">Edit {editing.domains[0]}</h2>
              <Link to="/proxies" className="text-sm text-brand-600 hover:underline dark:text-brand-300">
                Cancel editing
              </Link>
            </div>
            <ProxyHostForm host={editing} {...formProps} />
          </section>
        ) : canManage ? (
          <div id="host-form">
            <CreatePanel title="Add a host" addLabel="Add another host" intent="create" result={result ?? null} doneMessage="The host was created; it is in the list above.">
              <ProxyHostForm host={null} {...formProps} />
            </CreatePanel>
          </div>
        ) : null}
        <Card title="Unknown host names">
          <DefaultSiteForm value={defaultSite} canManage={canManage} result={defaultSiteResult} pending={pendingIntent === "default-site"} />
        </Card>
      </div>
    </>
  );
}

/** The options that are on, in a line under the domains (websockets, HTTP/2, limits, access list, headers…). */
function HostOptions({ host: h, accessLists }: { host: ProxyHostDto; accessLists: { id: string; name: string }[] }) {
  const on: string[] = [];
  if (h.kind === "proxy") {
    if (h.websockets) on.push("WebSockets");
    if (h.blockExploits) on.push("exploit block");
    if (h.gzip) on.push("gzip");
    if (h.rateLimit) on.push(`${h.rateLimit.requestsPerSecond} req/s (burst ${h.rateLimit.burst})`);
    if (h.accessListId) on.push(`access: ${accessLists.find((l) => l.id === h.accessListId)?.name ?? "list"}`);
  }
  if (h.http2) on.push("HTTP/2");
  if (h.tls.forceHttps) on.push("force HTTPS");
  if (h.tls.hsts.enabled) on.push("HSTS");
  const headers = [
    h.headers.csp && "CSP",
    h.headers.frameOptions && "X-Frame-Options",
    h.headers.referrerPolicy && "Referrer-Policy",
    h.headers.permissionsPolicy && "Permissions-Policy",
    h.headers.contentTypeOptions && "nosniff",
  ].filter(Boolean);
  if (headers.length) on.push(`headers: ${headers.join(", ")}`);
  if (h.hasAdvanced) on.push("advanced");
  if (!on.length) return null;
  return (
    <p className="mt-1 text-xs font-normal text-slate-500 dark:text-slate-400" data-testid="host-options">
      {on.join(" · ")}
    </p>
  );
}

export const meta: MetaFunction = () => [{ title: "Proxies · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
