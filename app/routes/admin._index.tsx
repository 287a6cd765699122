// The operator console: every organization with its plan, size and usage; change a plan;
// suspend or unsuspend (with a confirmation); the platform audit trail below.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { Badge } from "~/components/ui/badge";
import { BUTTON, INPUT } from "~/components/ui/button-classes";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { TableHead } from "~/components/ui/table-head";
import { Time } from "~/components/ui/time";
import { RouteErrorBoundary } from "~/components/route-error";
import { requirePlatformAdminPage } from "~/server/auth/require.server";
import { AppError } from "~/server/errors.server";
import { page, parseForm, redirectWithToast } from "~/server/http/page.server";
import { listOrgsForOperator, updateOrgByOperator } from "~/server/platform/orgs-admin.server";
import { listPlatformAudit } from "~/server/platform/platform-audit.server";
import { formatBytes, PLAN_LABELS, PLANS } from "~/plans";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  const operator = await requirePlatformAdminPage(request, context);
  const [orgs, audit] = [await listOrgsForOperator(operator), await listPlatformAudit(operator, { limit: 50 })];
  return { orgs: orgs.items, audit: audit.items };
});

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("plan"), orgId: z.string().min(1).max(100), plan: z.enum(PLANS, { message: "Choose a plan." }) }),
  z.object({ intent: z.enum(["suspend", "unsuspend"]), orgId: z.string().min(1).max(100) }),
]);

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  const operator = await requirePlatformAdminPage(request, context);
  const form = await parseForm(request, ActionSchema);
  if (!form.ok) return { ok: false as const, message: Object.values(form.fields)[0] ?? "Check the form." };
  const input = form.data;
  try {
    const org = await updateOrgByOperator(operator, input.orgId, input.intent === "plan" ? { plan: input.plan } : { suspended: input.intent === "suspend" });
    const message =
      input.intent === "plan"
        ? `${org.name} is on the ${PLAN_LABELS[org.plan]} plan now.`
        : input.intent === "suspend"
          ? `${org.name} is suspended: its members can read but not change anything.`
          : `${org.name} is active again.`;
    return redirectWithToast("/admin", { kind: "success", message });
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return { ok: false as const, message: error.message };
    throw error;
  }
});

const PLAN_OPTIONS = PLANS.map((p) => ({ value: p, label: PLAN_LABELS[p] }));

export default function OperatorConsole() {
  const { orgs, audit } = useLoaderData<typeof loader>();
  const busy = useNavigation().state !== "idle";
  return (
    <>
      <PageHeader title="Organizations" description="Every customer organization on this service: its plan, size and this month's log volume. You see these records, never the organizations' data." />
      {orgs.length === 0 ? (
        <EmptyState title="No organizations yet">
          <p>Customers create organizations when they sign up (SIGNUP in the server's environment decides whether anyone may). They appear here as soon as they do.</p>
        </EmptyState>
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <TableHead columns={["Organization", "Plan", "Members", "Agents", "Logs this month", "Created", "Status", null]} stackOnPhone />
            <tbody>
              {orgs.map((o) => (
                <tr key={o.id} data-testid={`org-row-${o.slug}`} className="block border-t border-slate-200 py-3 md:table-row md:py-0 dark:border-slate-800">
                  <td className="block md:table-cell md:py-3 md:pr-3">
                    <p className="font-medium">{o.name}</p>
                    <p className="font-mono text-xs text-slate-500">{o.slug}</p>
                  </td>
                  <td className="block py-1 md:table-cell md:py-3 md:pr-3">
                    <Form method="post" className="flex items-center gap-2">
                      <input type="hidden" name="intent" value="plan" />
                      <input type="hidden" name="orgId" value={o.id} />
                      <label className="sr-only" htmlFor={`plan-${o.id}`}>
                        Plan of {o.name}
                      </label>
                      <select id={`plan-${o.id}`} name="plan" defaultValue={o.plan} className={`${INPUT} py-1`}>
                        {PLAN_OPTIONS.map((p) => (
                          <option key={p.value} value={p.value}>
                            {p.label}
                          </option>
                        ))}
                      </select>
                      <button type="submit" className={`${BUTTON.secondary} whitespace-nowrap`} disabled={busy}>
                        Set plan
                      </button>
                    </Form>
                  </td>
                  <td className="block md:table-cell md:py-3 md:pr-3">
                    <span className="md:hidden">Members: </span>
                    {o.members} / {o.limits.members}
                  </td>
                  <td className="block md:table-cell md:py-3 md:pr-3">
                    <span className="md:hidden">Agents: </span>
                    {o.agents} / {o.limits.agents}
                  </td>
                  <td className="block md:table-cell md:py-3 md:pr-3">
                    <span className="md:hidden">Logs this month: </span>
                    {formatBytes(o.usage.logBytesThisMonth)} / {formatBytes(o.limits.logBytesPerMonth)}
                  </td>
                  <td className="block text-slate-500 md:table-cell md:py-3 md:pr-3">
                    <Time iso={o.createdAt} />
                  </td>
                  <td className="block py-1 md:table-cell md:py-3 md:pr-3">{o.suspended ? <Badge tone="bad">Suspended</Badge> : <Badge tone="good">Active</Badge>}</td>
                  <td className="block py-1 md:table-cell md:py-3 md:pr-3">
                    {o.suspended ? (
                      <ConfirmDialog trigger="Unsuspend" triggerLabel={`Unsuspend ${o.name}`} title={`Unsuspend ${o.name}?`} confirm="Unsuspend" tone="neutral" fields={{ intent: "unsuspend", orgId: o.id }}>
                        <p>Its members can change things again and its agents are told to resume.</p>
                      </ConfirmDialog>
                    ) : (
                      <ConfirmDialog trigger="Suspend" triggerLabel={`Suspend ${o.name}`} title={`Suspend ${o.name}?`} confirm="Suspend organization" fields={{ intent: "suspend", orgId: o.id }}>
                        <p>Its members can still log in and read, but every change (pages, API, API tokens, live actions) is refused, and its agents are told to pause. You can unsuspend it at any time.</p>
                      </ConfirmDialog>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      <h2 className="mb-3 mt-10 text-lg font-semibold">Operator audit trail</h2>
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">What the service operator did: setup, logins, plan changes, suspensions. Only you can read it.</p>
      {audit.length === 0 ? (
        <EmptyState title="Nothing recorded yet" />
      ) : (
        <Card className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="platform-audit">
            <TableHead columns={["Time", "Who", "Action", "Organization", "Details"]} stackOnPhone />
            <tbody>
              {audit.map((e) => (
                <tr key={e.id} className="block border-t border-slate-200 py-2 md:table-row md:py-0 dark:border-slate-800">
                  <td className="block text-slate-500 md:table-cell md:py-2 md:pr-3">
                    <Time iso={e.time} seconds />
                  </td>
                  <td className="block md:table-cell md:py-2 md:pr-3">{e.actorEmail}</td>
                  <td className="block font-mono text-xs md:table-cell md:py-2 md:pr-3">{e.action}</td>
                  <td className="block md:table-cell md:py-2 md:pr-3">{e.targetName ?? "—"}</td>
                  <td className="block font-mono text-xs text-slate-500 md:table-cell md:py-2 md:pr-3">{Object.keys(e.details).length ? JSON.stringify(e.details) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Organizations · Operator console · InfraPilot" }];
export const ErrorBoundary = RouteErrorBoundary;
