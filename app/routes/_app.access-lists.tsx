import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { AccessListForm, accessListBodyFromForm, type AccessListFormResult } from "~/components/proxy/access-list-form";
import { ProxySectionNav } from "~/components/proxy/section-nav";
import { RouteErrorBoundary } from "~/components/route-error";
import { Badge } from "~/components/ui/badge";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { can } from "~/permissions";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, readForm, redirectWithToast, requirePageFeature } from "~/server/http/page.server";
import { createAccessList, deleteAccessList, listAccessLists, updateAccessList } from "~/server/proxy/access-lists.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("proxies");
  const actor = await requireUserWithPermission(request, context, "read:proxy");
  const { items } = await listAccessLists(actor);
  const editId = new URL(request.url).searchParams.get("edit");
  return { lists: items, editing: items.find((l) => l.id === editId) ?? null, canManage: can(actor.role, "manage:proxy") };
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("proxies");
  const actor = await requireUserWithPermission(request, context, "manage:proxy");
  const form = await readForm(request);
  const intent = String(form.get("intent") ?? "");
  const id = String(form.get("id") ?? "");
  try {
    if (intent === "create") {
      const list = await createAccessList(actor, accessListBodyFromForm(form));
      return redirectWithToast("/access-lists", { kind: "success", message: `The access list ${list.name} was created. Pick it in a proxy host's form.` });
    }
    if (intent === "update") {
      const list = await updateAccessList(actor, id, accessListBodyFromForm(form));
      return redirectWithToast("/access-lists", { kind: "success", message: `${list.name} was saved${list.proxyHosts.length ? ` and applied to ${list.proxyHosts.length} host(s)` : ""}.` });
    }
    if (intent === "delete") {
      await deleteAccessList(actor, id);
      return redirectWithToast("/access-lists", { kind: "success", message: "The access list was removed." });
    }
    return { ok: false, message: "Unknown action.", fields: {} } satisfies AccessListFormResult;
  } catch (error) {
    return formFailure(error) satisfies AccessListFormResult;
  }
});

export default function AccessListsPage() {
  const { lists, editing, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as AccessListFormResult | undefined;
  const navigation = useNavigation();
  const intent = navigation.state !== "idle" ? String(navigation.formData?.get("intent") ?? "") : "";
  return (
    <>
      <PageHeader title="Access lists" description="Basic-auth users and IP allow/deny rules, reusable across proxy hosts. A change goes live on every host that uses the list." />
      <ProxySectionNav />
      <div className="flex flex-col gap-6">
        <Card title={`Access lists (${lists.length})`}>
          {lists.length === 0 ? (
            <EmptyState title="No access lists yet">{canManage ? "Create one below, then pick it in a proxy host's form to ask for a login or to allow only some addresses." : "An administrator can create them here."}</EmptyState>
          ) : (
            <ul className="divide-y divide-slate-200 dark:divide-slate-800">
              {lists.map((l) => (
                <li key={l.id} data-testid="access-list-row" data-name={l.name} className="flex flex-col gap-2 py-3 md:flex-row md:items-start md:justify-between">
                  <div className="min-w-0">
                    <p className="font-medium">
                      {l.name}{" "}
                      {l.users.length && l.rules.length ? <Badge tone="muted">{l.satisfy === "all" ? "address and login" : "address or login"}</Badge> : null}
                    </p>
                    <p className="text-sm text-slate-600 dark:text-slate-400">
                      {l.users.length ? `Users: ${l.users.map((u) => u.username).join(", ")}` : "No basic-auth users"}
                      {" · "}
                      {l.rules.length ? `Rules: ${l.rules.map((r) => `${r.action} ${r.address}`).join(", ")}` : "no IP rules"}
                    </p>
                    <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="access-list-hosts">
                      {l.proxyHosts.length ? `Used by ${l.proxyHosts.map((h) => h.domains[0]).join(", ")}` : "Not used by any host"}
                    </p>
                  </div>
                  {canManage ? (
                    <div className="flex shrink-0 items-center gap-3">
                      <Link to={`?edit=${l.id}#access-list-form`} className="text-sm text-brand-600 hover:underline dark:text-brand-300" aria-label={`Edit ${l.name}`}>
                        Edit
                      </Link>
                      <ConfirmDialog trigger="Delete" triggerLabel={`Delete ${l.name}`} title={`Delete the access list ${l.name}?`} confirm="Delete access list" fields={{ intent: "delete", id: l.id }}>
                        {l.proxyHosts.length ? (
                          <p data-testid="access-list-in-use">
                            It is used by {l.proxyHosts.map((h) => h.domains[0]).join(", ")}. Pick another list (or “Public”) for {l.proxyHosts.length === 1 ? "that host" : "those hosts"} first: a list in use cannot be deleted.
                          </p>
                        ) : (
                          <p>No host uses it. Its users and rules are removed for good.</p>
                        )}
                      </ConfirmDialog>
                    </div>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </Card>
        {canManage ? (
          <section id="access-list-form" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <div className="mb-3 flex items-center justify-between gap-3">
              <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{editing ? `Edit ${editing.name}` : "New access list"}</h2>
              {editing ? (
                <Link to="/access-lists" className="text-sm text-brand-600 hover:underline dark:text-brand-300">
                  Cancel editing
                </Link>
              ) : null}
            </div>
            <AccessListForm key={editing?.id ?? "new"} list={editing} result={result} pending={intent === "create" || intent === "update"} />
          </section>
        ) : null}
      </div>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Access lists · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
