// The per-member controls on the users page: role, disable/enable, force a password reset, delete.
// Every one posts to the users route's action; destructive ones confirm first.
import { useFetcher } from "@remix-run/react";
import { useId } from "react";
import { BUTTON, INPUT } from "~/components/ui/button-classes";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import type { Role } from "~/permissions";

export interface Member {
  id: string;
  name: string;
  email: string;
  role: Role;
  disabled: boolean;
  invited: boolean;
}

export const ROLE_LABELS: Record<Role, string> = { super_admin: "Super admin", admin: "Admin", operator: "Operator", viewer: "Viewer" };

export function MemberActions({ member, grantable, isSelf }: { member: Member; grantable: Role[]; isSelf: boolean }) {
  // Members above the actor's own rank are shown, not managed (the server refuses it anyway).
  if (!grantable.includes(member.role)) return <span className="text-xs text-slate-500 dark:text-slate-400">Only a {ROLE_LABELS[member.role].toLowerCase()} can manage this member.</span>;
  return (
    <div className="flex flex-wrap items-start gap-2">
      <RoleForm member={member} grantable={grantable} />
      {isSelf ? null : member.disabled ? (
        <EnableButton member={member} />
      ) : (
        <ConfirmDialog trigger="Disable" triggerLabel={`Disable ${member.email}`} title={`Disable ${member.name}?`} confirm="Disable" fields={{ intent: "disable", userId: member.id }}>
          <p>
            {member.email} is logged out everywhere at once and cannot log in until you enable the account again. Their API tokens stop working too.
          </p>
        </ConfirmDialog>
      )}
      {isSelf || member.invited ? null : (
        <ConfirmDialog
          trigger="Force password reset"
          triggerLabel={`Force password reset for ${member.email}`}
          title={`Force a password reset for ${member.name}?`}
          confirm="Force reset"
          tone="neutral"
          fields={{ intent: "force-reset", userId: member.id }}
        >
          <p>All of their sessions end now. At their next login they have to choose a new password.</p>
        </ConfirmDialog>
      )}
      {isSelf ? null : (
        <ConfirmDialog
          trigger="Delete"
          triggerLabel={`Delete ${member.email}`}
          title={`Delete ${member.name}?`}
          confirm="Delete user"
          typeToConfirm={member.email}
          fields={{ intent: "delete", userId: member.id }}
        >
          <p>
            {member.email} loses access to this organization immediately. Their audit trail stays. This cannot be undone; you can invite them again later.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function RoleForm({ member, grantable }: { member: Member; grantable: Role[] }) {
  const fetcher = useFetcher<{ ok?: boolean; message?: string }>();
  const id = useId();
  const error = fetcher.data?.ok === false ? fetcher.data.message : undefined;
  return (
    <fetcher.Form method="post" className="flex flex-col gap-1">
      <input type="hidden" name="intent" value="role" />
      <input type="hidden" name="userId" value={member.id} />
      <div className="flex gap-1">
        <label htmlFor={id} className="sr-only">
          Role of {member.email}
        </label>
        <select
          id={id}
          name="role"
          defaultValue={member.role}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          className={`${INPUT} py-1.5`}
        >
          {grantable.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </select>
        <button type="submit" className={BUTTON.secondary} disabled={fetcher.state !== "idle"} aria-label={`Save role of ${member.email}`}>
          Save
        </button>
      </div>
      {error ? (
        <p id={`${id}-error`} className="max-w-60 text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </fetcher.Form>
  );
}

function EnableButton({ member }: { member: Member }) {
  const fetcher = useFetcher<{ ok?: boolean; message?: string }>();
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value="enable" />
      <input type="hidden" name="userId" value={member.id} />
      <button type="submit" className={BUTTON.secondary} disabled={fetcher.state !== "idle"} aria-label={`Enable ${member.email}`}>
        Enable
      </button>
      {fetcher.data?.ok === false ? <p className="text-xs text-red-600 dark:text-red-400">{fetcher.data.message}</p> : null}
    </fetcher.Form>
  );
}
