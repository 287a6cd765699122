import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { AUDIT_COLUMNS, AuditRows } from "~/components/audit/audit-rows";
import { RouteErrorBoundary } from "~/components/route-error";
import { BUTTON } from "~/components/ui/button-classes";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { listAudit, verifyAuditChain } from "~/server/audit/audit-log.server";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { page, requirePageFeature } from "~/server/http/page.server";
import { zodFieldErrors } from "~/server/http/api.server";
import { AuditQuerySchema } from "~/validation/users";
import { TableHead } from "~/components/ui/table-head";

const FILTERS = ["actor", "action", "target", "from", "to"] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The form speaks whole UTC days (date inputs); the schema and the API take ISO times. */
function toQuery(values: Record<string, string>): Record<string, string> {
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
  requirePageFeature("audit");
  const actor = await requireUserWithPermission(request, context, "read:audit");
  const params = new URL(request.url).searchParams;
  const values = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ""]));
  const query = toQuery(values);
  const parsed = AuditQuerySchema.safeParse({ ...query, cursor: params.get("cursor") || undefined });
  if (!parsed.success) return { values, errors: zodFieldErrors(parsed.error), items: [], nextCursor: null, exportQuery: null, paged: false };
  const { cursor, ...filters } = parsed.data;
  const { items, nextCursor } = await listAudit(actor, filters, { limit: 50, cursor });
  return { values, errors: {} as Record<string, string>, items, nextCursor, exportQuery: new URLSearchParams(query).toString(), paged: Boolean(cursor) };
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("audit");
  const actor = await requireUserWithPermission(request, context, "read:audit");
  return { verification: await verifyAuditChain(actor) };
});

export default function AuditPage() {
  const { values, errors, items, nextCursor, exportQuery, paged } = useLoaderData<typeof loader>();
  const verification = useActionData<typeof action>()?.verification;
  const navigation = useNavigation();
  // The filters in use (without the cursor): what "Load more" and the table's identity depend on.
  const filterSearch = new URLSearchParams(Object.entries(values).filter(([, v]) => v)).toString();
  const brokenAt = verification && !verification.ok ? verification.brokenAt : undefined;
  return (
    <>
      <PageHeader title="Audit log" description="Every change in this organization: who, what, when, from where, and whether it worked.">
        <div className="flex flex-wrap gap-2">
          <Form method="post">
            <button type="submit" className={BUTTON.secondary} disabled={navigation.state === "submitting"}>
              {navigation.state === "submitting" ? "Verifying…" : "Verify integrity"}
            </button>
          </Form>
          {exportQuery !== null ? (
            <>
              <a className={BUTTON.secondary} href={`/api/v1/audit/export?format=csv${exportQuery ? `&${exportQuery}` : ""}`} download>
                Export CSV
              </a>
              <a className={BUTTON.secondary} href={`/api/v1/audit/export?format=json${exportQuery ? `&${exportQuery}` : ""}`} download>
                Export JSON
              </a>
            </>
          ) : null}
        </div>
      </PageHeader>
      <div className="flex flex-col gap-6">
        {verification ? (
          verification.ok ? (
            <p role="status" data-testid="verify-result" className="rounded-lg border border-emerald-300 bg-emerald-50 p-4 text-sm dark:border-emerald-800 dark:bg-emerald-950">
              <strong>The audit log is intact.</strong> {verification.entries} {verification.entries === 1 ? "entry was" : "entries were"} checked; each one
              follows the one before it and matches its hash.
            </p>
          ) : (
            <p role="alert" data-testid="verify-result" className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
              <strong>The audit log has been tampered with.</strong> The first broken entry is #{verification.brokenAt}: it {verification.reason}. Entries after it
              cannot be trusted either.
            </p>
          )
        ) : null}
        <Card title="Filter">
          <Form method="get" className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5" aria-label="Filter the audit log">
            <Field label="Actor" name="actor" required={false} defaultValue={values.actor} error={errors.actor} hint="E-mail (part) or user id" />
            <Field label="Action" name="action" required={false} defaultValue={values.action} error={errors.action} hint="Prefix, e.g. user. or auth.login" />
            <Field label="Target" name="target" required={false} defaultValue={values.target} error={errors.target} hint="Type (user) or id" />
            <Field label="From (UTC)" name="from" type="date" required={false} defaultValue={values.from} error={errors.from} />
            <Field label="To (UTC)" name="to" type="date" required={false} defaultValue={values.to} error={errors.to} />
            <div className="flex flex-wrap items-center gap-3 sm:col-span-2 lg:col-span-5">
              <SubmitButton pending={navigation.state === "loading" && navigation.location.pathname === "/audit"}>Apply filters</SubmitButton>
              {filterSearch ? (
                <Link to="/audit" className="text-sm text-brand-600 hover:underline dark:text-brand-300">
                  Clear filters
                </Link>
              ) : null}
            </div>
          </Form>
          <FormError message={errors._ ?? errors.cursor} />
        </Card>
        <Card>
          {paged ? (
            <p className="mb-3 text-sm text-slate-500 dark:text-slate-400">
              Showing older entries. <Link to={filterSearch ? `/audit?${filterSearch}` : "/audit"} className="text-brand-600 hover:underline dark:text-brand-300">Back to the newest</Link>
            </p>
          ) : null}
          {items.length === 0 ? (
            <EmptyState title={filterSearch ? "No entries match these filters" : "Nothing has been recorded yet"}>
              {filterSearch ? "Try a wider time range or fewer filters." : "Logins and changes show up here as they happen."}
            </EmptyState>
          ) : (
            <table className="block w-full text-sm md:table">
              <TableHead columns={AUDIT_COLUMNS} stackOnPhone />
              <tbody key={filterSearch} className="block divide-y divide-slate-200 md:table-row-group dark:divide-slate-800">
                <AuditRows items={items} nextCursor={nextCursor} search={filterSearch} brokenAt={brokenAt} />
              </tbody>
            </table>
          )}
        </Card>
      </div>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Audit log · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
