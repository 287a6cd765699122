// Sections of the Organizations page: members (role, remove), pending invitations (invite,
// copy link, withdraw) and the danger zone (delete with the slug typed).
import { Form } from "@remix-run/react";
import { canGrantRole, ROLES, type Role } from "~/permissions";
import { BUTTON, INPUT } from "~/components/ui/button-classes";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { CopyButton } from "~/components/ui/copy-button";
import { Field, FormError } from "~/components/ui/field";
import { Card, EmptyState } from "~/components/ui/page";
import { SelectField } from "~/components/ui/select-field";

const roleLabel = (r: string) => r.replace("_", " ");
type Member = { userId: string; email: string; name: string; role: Role; joinedAt: string };
type Invitation = { id: string; email: string; role: Role; expiresAt: string };

export function OrgMembers({ members, me, canManage, result }: { members: Member[]; me: { userId: string; role: Role }; canManage: boolean; result?: { message?: string } }) {
  return (
    <Card title={`Members (${members.length})`}>
      <FormError message={result?.message} />
      <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="members">
        {members.map((m) => {
          const manageable = canManage && canGrantRole(me.role, m.role);
          return (
            <li key={m.userId} className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between">
              <div className="min-w-0">
                <p className="truncate font-medium">
                  {m.name} {m.userId === me.userId ? <span className="text-xs text-slate-500">(you)</span> : null}
                </p>
                <p className="truncate text-sm text-slate-500">{m.email}</p>
              </div>
              <div className="flex flex-wrap items-center gap-2">
                {manageable ? (
                  <Form method="post" className="flex items-center gap-2">
                    <input type="hidden" name="intent" value="role" />
                    <input type="hidden" name="userId" value={m.userId} />
                    <label className="sr-only" htmlFor={`role-${m.userId}`}>
                      Role of {m.name}
                    </label>
                    <select id={`role-${m.userId}`} name="role" defaultValue={m.role} className={`${INPUT} py-1.5`}>
                      {ROLES.filter((r) => canGrantRole(me.role, r)).map((r) => (
                        <option key={r} value={r}>
                          {roleLabel(r)}
                        </option>
                      ))}
                    </select>
                    <button type="submit" className={BUTTON.secondary}>
                      Change
                    </button>
                  </Form>
                ) : (
                  <span className="rounded bg-slate-100 px-2 py-1 text-xs uppercase tracking-wide dark:bg-slate-800">{roleLabel(m.role)}</span>
                )}
                {manageable || m.userId === me.userId ? (
                  <ConfirmDialog
                    trigger={m.userId === me.userId ? "Leave" : "Remove"}
                    triggerLabel={m.userId === me.userId ? "Leave this organization" : `Remove ${m.name}`}
                    title={m.userId === me.userId ? "Leave this organization?" : `Remove ${m.name}?`}
                    confirm={m.userId === me.userId ? "Leave" : "Remove"}
                    fields={{ intent: "remove", userId: m.userId }}
                  >
                    {m.userId === me.userId ? "You lose access to everything in it until someone invites you again." : `${m.email} loses access to this organization at once. Their account and other organizations stay.`}
                  </ConfirmDialog>
                ) : null}
              </div>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}

export function OrgInvitations({
  invitations,
  myRole,
  result,
  busy,
}: {
  invitations: Invitation[];
  myRole: Role;
  result?: { ok: boolean; message?: string; code?: string; fields?: Record<string, string>; invited?: { email: string; url: string; mailed: boolean } };
  busy: boolean;
}) {
  const invited = result?.ok ? result.invited : undefined;
  return (
    <Card title="Invitations">
      <Form method="post" className="flex flex-col gap-3 sm:flex-row sm:items-end" key={invited?.url}>
        <input type="hidden" name="intent" value="invite" />
        <div className="flex-1">
          <Field label="E-mail address" name="email" type="email" autoComplete="off" error={result && !result.ok ? result.fields?.email : undefined} />
        </div>
        <SelectField label="Role" name="role" defaultValue="viewer" options={ROLES.filter((r) => canGrantRole(myRole, r)).map((r) => ({ value: r, label: roleLabel(r) }))} error={result && !result.ok ? result.fields?.role : undefined} />
        <button type="submit" disabled={busy} className={BUTTON.primary}>
          Invite
        </button>
      </Form>
      {result && !result.ok && !result.fields?.email ? (
        <div className="mt-3">
          <FormError message={result.message} code={result.code} />
        </div>
      ) : null}
      {invited ? (
        <div role="status" className="mt-3 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100">
          <p>
            {invited.mailed ? `Invitation e-mailed to ${invited.email}.` : `No mail server is configured: send ${invited.email} this link yourself.`} The link works once, for 7 days.
          </p>
          <div className="mt-2 flex items-center gap-2">
            <code className="min-w-0 flex-1 truncate rounded bg-white px-2 py-1 text-xs dark:bg-slate-900" data-testid="invitation-url">
              {invited.url}
            </code>
            <CopyButton text={invited.url} label="Copy link" />
          </div>
        </div>
      ) : null}
      {invitations.length === 0 ? (
        <div className="mt-4">
          <EmptyState title="No pending invitations">Invite people by e-mail; they join with the role you choose.</EmptyState>
        </div>
      ) : (
        <ul className="mt-4 divide-y divide-slate-200 dark:divide-slate-800" data-testid="invitations">
          {invitations.map((i) => (
            <li key={i.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
              <span className="min-w-0 truncate">
                <strong>{i.email}</strong> · {roleLabel(i.role)} · expires {new Date(i.expiresAt).toISOString().slice(0, 10)}
              </span>
              <ConfirmDialog trigger="Withdraw" triggerLabel={`Withdraw the invitation of ${i.email}`} title="Withdraw this invitation?" confirm="Withdraw" fields={{ intent: "revoke", id: i.id }}>
                The link sent to {i.email} stops working at once; opening it says it was withdrawn.
              </ConfirmDialog>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export function OrgDangerZone({ slug, name }: { slug: string; name: string }) {
  return (
    <Card title="Delete organization" className="border-red-200 dark:border-red-900">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <p className="text-sm text-slate-600 dark:text-slate-300">Deletes {name} with all its agents, proxies, certificates, logs, alerts, monitors, members and audit log. This cannot be undone.</p>
        <ConfirmDialog trigger="Delete organization" title={`Delete ${name}?`} confirm="Delete forever" fields={{ intent: "delete-org" }} typeToConfirm={slug}>
          Everything in {name} is removed for good, and everyone working in it is logged out of it.
        </ConfirmDialog>
      </div>
    </Card>
  );
}
