import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { formFieldName, hostBodyFromForm } from "~/components/proxy/form-body";
import { HostStatus } from "~/components/proxy/host-status";
import { ProxyHostForm, type HostFormResult } from "~/components/proxy/proxy-host-form";
import { RouteErrorBoundary } from "~/components/route-error";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { Time } from "~/components/ui/time";
import { can } from "~/permissions";
import { localAgentId } from "~/server/agents/registry.server";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, readForm, redirectWithToast, requirePageFeature } from "~/server/http/page.server";
import { listAccessLists } from "~/server/proxy/access-lists.server";
import { listCertificates } from "~/server/certs/certificates.server";
import { TlsState } from "~/components/proxy/tls-state";
import { Reachability } from "~/components/proxy/reachability";
import { nginxProblem } from "~/server/proxy/boot.server";
import type { Reachability as ReachabilityResult } from "~/server/proxy/reachability.server";
import { applyProxies, createProxyHost, deleteProxyHost, getApplyStatus, listProxyHosts, updateProxyHost } from "~/server/proxy/hosts.server";
import { TableHead } from "~/components/ui/table-head";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("proxies");
  const actor = await requireUserWithPermission(request, context, "read:proxy");
  const agentId = await localAgentId(actor);
  const [{ items }, lists, status, certs] = await Promise.all([
    listProxyHosts(actor, agentId),
    listAccessLists(actor),
    getApplyStatus(actor, agentId),
    can(actor.role, "read:certificate") ? listCertificates(actor) : { items: [] },
  ]);
  const problem = await nginxProblem();
  const editId = new URL(request.url).searchParams.get("edit");
  return {
    agentId,
    nginxProblem: problem,
    hosts: items,
    accessLists: lists.items.map((l) => ({ id: l.id, name: l.name })),
    certificates: certs.items.map((c) => ({ id: c.id, label: `${c.domains.join(", ")}${c.mode === "custom" ? " (uploaded)" : ""}`, mode: c.mode, status: c.status, error: c.error, notAfter: c.notAfter, renewing: c.renewing, expired: c.expired })),
    status,
    editing: items.find((h) => h.id === editId) ?? null,
    canManage: can(actor.role, "manage:proxy"),
    canAdvanced: can(actor.role, "manage:proxy-advanced"),
  };
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("proxies");
  const actor = await requireUserWithPermission(request, context, "manage:proxy");
  const agentId = await localAgentId(actor);
  const form = await readForm(request);
  const intent = String(form.get("intent") ?? "");
  const id = String(form.get("id") ?? "");
  try {
    if (intent === "create" || intent === "update") {
      // Answers once nginx accepted the change and was signalled; the list shows pending → ok live.
      const host = intent === "create" ? await createProxyHost(actor, agentId, hostBodyFromForm(form), { wait: false }) : await updateProxyHost(actor, agentId, id, hostBodyFromForm(form), { wait: false });
      const ok = host.status.state !== "error";
      const live = host.status.state === "ok" ? `${host.domains[0]} is live.` : `${host.domains[0]} was saved; nginx is reloading.`;
      return redirectWithToast("/proxies", { kind: ok ? "success" : "error", message: ok ? live : `${host.domains[0]} was saved but nginx refused it: see its status.` });
    }
    if (intent === "delete") {
      await deleteProxyHost(actor, agentId, id);
      return redirectWithToast("/proxies", { kind: "success", message: "The host was removed." });
    }
    if (intent === "apply") {
      const outcome = await applyProxies(actor, agentId);
      return redirectWithToast("/proxies", { kind: outcome.ok ? "success" : "error", message: outcome.ok ? "Configuration applied." : `nginx refused the configuration: ${outcome.message ?? ""}`.slice(0, 280) });
    }
    return { ok: false, message: "Unknown action.", fields: {} } satisfies HostFormResult;
  } catch (error) {
    const failure = formFailure(error);
    return { ...failure, fields: Object.fromEntries(Object.entries(failure.fields).map(([k, v]) => [formFieldName(k), v])) } satisfies HostFormResult;
  }
});

export default function ProxiesPage() {
  const { agentId, nginxProblem: problem, hosts, accessLists, certificates, status, editing, canManage, canAdvanced } = useLoaderData<typeof loader>();
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
  const result = useActionData<typeof action>() as HostFormResult | undefined;
  const navigation = useNavigation();
  const saving = navigation.state !== "idle" && ["create", "update"].includes(String(navigation.formData?.get("intent")));
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
      <div className="flex flex-col gap-6">
        {problem ? (
          <div role="alert" data-testid="nginx-problem" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
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
            {status.state === "error" && status.message ? <span className="block whitespace-pre-wrap text-red-700 dark:text-red-300">{status.message}</span> : null}
          </p>
          {hosts.length === 0 ? (
            <EmptyState title="No proxy hosts yet">Add a domain and the address of the service behind it below.</EmptyState>
          ) : (
            <table className="w-full text-sm">
              <TableHead columns={["Domains", "Target", "Upstream", "TLS", "Status", canManage && "Actions"]} />
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {hosts.map((h) => (
                  <tr key={h.id} data-testid="proxy-row" data-domain={h.domains[0]} data-state={h.status.state}>
                    <td className="py-3 pr-3 align-top font-medium">
                      {h.domains.join(", ")}
                      {!h.enabled ? <span className="ml-2 text-xs text-slate-500">(disabled)</span> : null}
                    </td>
                    <td className="py-3 pr-3 align-top text-slate-600 dark:text-slate-400">
                      {h.kind === "redirect" ? `${h.redirect?.code} → ${h.redirect?.to}` : h.upstream && "host" in h.upstream ? `${h.upstream.scheme}://${h.upstream.host}:${h.upstream.port}` : h.upstream ? `container ${h.upstream.containerId}:${h.upstream.port}` : ""}
                    </td>
                    <td className="py-3 pr-3 align-top">
                      <Reachability result={reachability.get(h.id)} />
                    </td>
                    <td className="py-3 pr-3 align-top">
                      <TlsState mode={h.tls.mode} certificate={certificates.find((c) => c.id === h.tls.certificateId) ?? null} />
                    </td>
                    <td className="py-3 pr-3 align-top">
                      <HostStatus state={h.status.state} message={h.status.message} />
                    </td>
                    {canManage ? (
                      <td className="flex gap-3 py-3 align-top">
                        <Link to={`?edit=${h.id}#host-form`} className="text-brand-600 hover:underline">
                          Edit
                        </Link>
                        <Form method="post">
                          <input type="hidden" name="intent" value="delete" />
                          <input type="hidden" name="id" value={h.id} />
                          <button type="submit" className="text-red-600 hover:underline">
                            Delete
                          </button>
                        </Form>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        {canManage ? (
          <section id="host-form" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <h2 className="mb-3 text-sm font-semibold uppercase tracking-wide text-slate-500">{editing ? `Edit ${editing.domains[0]}` : "Add a host"}</h2>
            <ProxyHostForm host={editing} accessLists={accessLists} certificates={certificates} canAdvanced={canAdvanced} result={result} pending={saving} />
          </section>
        ) : null}
      </div>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Proxies · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
