import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { RouteErrorBoundary } from "~/components/route-error";
import { Badge } from "~/components/ui/badge";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { Time } from "~/components/ui/time";
import { AddUserForm, type AddUserResult } from "~/components/users/add-user-form";
import { MemberActions, ROLE_LABELS } from "~/components/users/member-actions";
import { can, canGrantRole, ROLES } from "~/permissions";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { ValidationError } from "~/server/errors.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, parseForm, readForm, redirectWithToast, requirePageFeature } from "~/server/http/page.server";
import { createUser, deleteUser, forcePasswordReset, getUser, listUsers, updateUser } from "~/server/users/users.server";
import { CreateUserSchema, ListQuerySchema } from "~/validation/users";
import { TableHead } from "~/components/ui/table-head";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("users");
  const actor = await requireUserWithPermission(request, context, "read:user");
  const query = ListQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  const { items, nextCursor } = await listUsers(actor, { limit: 200, cursor: query.success ? query.data.cursor : undefined });
  return {
    // Keyset pages come in id order; within a page people look for names.
    users: items.sort((a, b) => a.name.localeCompare(b.name, "en") || a.email.localeCompare(b.email, "en")),
    nextCursor,
    meId: actor.userId,
    canManage: can(actor.role, "manage:user"),
    grantable: ROLES.filter((r) => canGrantRole(actor.role, r)),
  };
});

const MemberSchema = z.object({ userId: z.string().min(1).max(100) });
const RoleSchema = MemberSchema.extend({ role: z.enum(ROLES, { message: "Choose a role." }) });
const DeleteSchema = MemberSchema.extend({ confirmation: z.string().trim().toLowerCase().max(254) });

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("users");
  const actor = await requireUserWithPermission(request, context, "manage:user");
  const data = await readForm(request);
  const intent = String(data.get("intent") ?? "");
  const done = (message: string) => redirectWithToast("/users", { kind: "success", message });
  try {
    if (intent === "create") {
      const form = await parseForm(data, CreateUserSchema);
      if (!form.ok) return { ok: false, message: "Check the highlighted fields.", fields: form.fields, values: form.values } satisfies AddUserResult;
      const { user, invitation } = await createUser(actor, form.data);
      return { ok: true, created: { userId: user.id, email: user.email, invitation } } satisfies AddUserResult;
    }
    if (intent === "role") {
      const form = await parseForm(data, RoleSchema);
      if (!form.ok) return { ok: false, message: Object.values(form.fields)[0] ?? "Choose a role." };
      const user = await updateUser(actor, form.data.userId, { role: form.data.role });
      return done(`${user.email} is now ${ROLE_LABELS[user.role].toLowerCase()}.`);
    }
    const form = await parseForm(data, intent === "delete" ? DeleteSchema : MemberSchema);
    if (!form.ok) return { ok: false, message: "That request was not valid. Reload the page and try again." };
    const { userId } = form.data;
    if (intent === "disable" || intent === "enable") {
      const user = await updateUser(actor, userId, { disabled: intent === "disable" });
      return done(intent === "disable" ? `${user.email} is disabled and was logged out.` : `${user.email} can log in again.`);
    }
    if (intent === "force-reset") {
      const user = await getUser(actor, userId);
      await forcePasswordReset(actor, userId);
      return done(`${user.email} was logged out and must choose a new password at the next login.`);
    }
    if (intent === "delete") {
      const user = await getUser(actor, userId);
      // The typed e-mail is checked here too, not only by the disabled button.
      if (!("confirmation" in form.data) || form.data.confirmation !== user.email) {
        throw new ValidationError(`Type ${user.email} to confirm.`, { confirmation: "Does not match." });
      }
      await deleteUser(actor, userId);
      return done(`${user.email} was deleted.`);
    }
    return { ok: false, message: "Unknown action." };
  } catch (error) {
    return formFailure(error);
  }
});

export default function UsersPage() {
  const { users, nextCursor, meId, canManage, grantable } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as AddUserResult | undefined;
  const navigation = useNavigation();
  const creating = navigation.state !== "idle" && navigation.formData?.get("intent") === "create";
  const others = users.filter((u) => u.id !== meId);
  return (
    <>
      <PageHeader title="Users" description="Who can use this organization, with which role.">
        {canManage ? (
          <a href="#add-user" className="inline-flex items-center justify-center rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-brand-700">
            Add user
          </a>
        ) : null}
      </PageHeader>
      <div className="flex flex-col gap-6">
        <Card title={`Members (${users.length}${nextCursor ? "+" : ""})`}>
          <table className="block w-full text-sm md:table">
            <TableHead columns={["Name", "Role", "MFA", "Status", "Last login", canManage && "Actions"]} stackOnPhone />
            <tbody className="block divide-y divide-slate-200 md:table-row-group dark:divide-slate-800">
              {users.map((u) => (
                <tr key={u.id} data-testid="member-row" data-email={u.email} className="flex flex-col gap-1.5 py-3 md:table-row">
                  <td className="md:py-3 md:pr-3 md:align-top">
                    <p className="font-medium">
                      {u.name}
                      {u.id === meId ? <span className="ml-2 text-xs font-normal text-slate-500 dark:text-slate-400">(you)</span> : null}
                    </p>
                    <p className="wrap-anywhere text-slate-500 dark:text-slate-400">{u.email}</p>
                  </td>
                  <Cell label="Role">{ROLE_LABELS[u.role]}</Cell>
                  <Cell label="MFA">
                    <Badge tone={u.mfaEnabled ? "good" : "muted"}>{u.mfaEnabled ? "On" : "Off"}</Badge>
                  </Cell>
                  <Cell label="Status">
                    {u.disabled ? <Badge tone="bad">Disabled</Badge> : u.invited ? <Badge tone="warn">Invited</Badge> : <Badge tone="good">Active</Badge>}
                  </Cell>
                  <Cell label="Last login">
                    <Time iso={u.lastLoginAt} fallback="Never" />
                  </Cell>
                  {canManage ? (
                    <td className="pt-1 md:py-3 md:align-top">
                      <MemberActions member={u} grantable={grantable} isSelf={u.id === meId} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
          {others.length === 0 ? (
            <div className="mt-4">
              <EmptyState title="You are the only member">Add the people you work with below. Each gets their own login, role and audit trail.</EmptyState>
            </div>
          ) : null}
          {nextCursor ? (
            <Link to={`?cursor=${encodeURIComponent(nextCursor)}`} className="mt-4 inline-block text-sm text-brand-600 hover:underline dark:text-brand-300">
              Next page
            </Link>
          ) : null}
        </Card>
        {canManage ? (
          <section id="add-user" aria-labelledby="add-user-title" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <h2 id="add-user-title" className="mb-3 text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
              Add a user
            </h2>
            <AddUserForm grantable={grantable} result={result} pending={creating} />
          </section>
        ) : null}
      </div>
    </>
  );
}

function Cell({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <td className="flex items-center gap-2 md:table-cell md:py-3 md:pr-3 md:align-top">
      <span className="w-24 shrink-0 text-xs uppercase tracking-wide text-slate-500 md:hidden dark:text-slate-400">{label}</span>
      {children}
    </td>
  );
}

export const meta: MetaFunction = () => [{ title: "Users · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
