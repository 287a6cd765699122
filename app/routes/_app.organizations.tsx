import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { OrgDangerZone, OrgInvitations, OrgMembers } from "~/components/org/organizations-sections";
import { BUTTON } from "~/components/ui/button-classes";
import { Card, PageHeader } from "~/components/ui/page";
import { Field, FormError } from "~/components/ui/field";
import { can } from "~/permissions";
import { requireUser } from "~/server/auth/require.server";
import { page, readForm, requirePageFeature } from "~/server/http/page.server";
import { listOrgInvitations } from "~/server/orgs/invitations.server";
import { listMembers } from "~/server/orgs/members.server";
import { getCurrentOrg } from "~/server/orgs/orgs.server";
import { organizationsPageAction } from "~/server/orgs/page-actions.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("organizations");
  const actor = await requireUser(request, context);
  const canManageMembers = can(actor.role, "manage:user");
  const [org, members, invitations] = await Promise.all([
    getCurrentOrg(actor),
    can(actor.role, "read:user") ? listMembers(actor).then((r) => r.items) : Promise.resolve(null),
    canManageMembers ? listOrgInvitations(actor).then((r) => r.items.filter((i) => i.state === "pending")) : Promise.resolve(null),
  ]);
  return { org, members, invitations, me: { userId: actor.userId, role: actor.role }, canManageOrg: can(actor.role, "manage:org"), canManageMembers };
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("organizations");
  const actor = await requireUser(request, context);
  return organizationsPageAction(actor, await readForm(request));
});

export default function OrganizationsPage() {
  const { org, members, invitations, me, canManageOrg, canManageMembers } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const [params] = useSearchParams();
  const failed = result && result.ok === false ? result : undefined;
  return (
    <div className="flex max-w-4xl flex-col gap-6">
      <PageHeader title={org.name} description={`Organization · slug ${org.slug} · ${org.plan} plan · you are ${org.role.replace("_", " ")}`} />
      {canManageOrg ? (
        <Card title="Name">
          <Form method="post" className="flex flex-col gap-3 sm:flex-row sm:items-end" key={org.name}>
            <input type="hidden" name="intent" value="rename" />
            <div className="flex-1">
              <Field label="Organization name" name="name" defaultValue={org.name} error={failed?.intent === "rename" ? failed.fields?.name : undefined} />
            </div>
            <button type="submit" disabled={busy} className={BUTTON.primary}>
              Rename
            </button>
          </Form>
          {failed?.intent === "rename" ? <FormError message={failed.message} /> : null}
        </Card>
      ) : null}
      {members ? <OrgMembers members={members} me={me} canManage={canManageMembers} result={failed?.intent === "role" || failed?.intent === "remove" ? failed : undefined} /> : null}
      {invitations ? <OrgInvitations invitations={invitations} myRole={me.role} result={result && result.intent === "invite" ? result : undefined} busy={busy} /> : null}
      <Card title="New organization">
        <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">A separate organization has its own agents, proxies, alerts, members and audit log. You become its super admin.</p>
        <Form method="post" className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <input type="hidden" name="intent" value="create-org" />
          <div className="flex-1">
            <Field label="Name of the new organization" name="name" autoFocus={params.get("new") === "1"} error={failed?.intent === "create-org" ? failed.fields?.name : undefined} />
          </div>
          <button type="submit" disabled={busy} className={BUTTON.secondary}>
            Create organization
          </button>
        </Form>
        {failed?.intent === "create-org" ? <FormError message={failed.message} /> : null}
      </Card>
      {me.role === "super_admin" ? <OrgDangerZone slug={org.slug} name={org.name} /> : null}
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Organization · InfraPilot" }];
