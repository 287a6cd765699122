import { Form } from "@remix-run/react";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { OneTimeValue } from "~/components/ui/copy-button";
import { SelectField } from "~/components/ui/select-field";
import { Time } from "~/components/ui/time";
import type { Role } from "~/permissions";
import { PASSWORD_MIN_LENGTH } from "~/validation/password-policy";
import { ROLE_LABELS } from "./member-actions";

export interface AddUserResult {
  ok: boolean;
  message?: string;
  code?: string;
  fields?: Record<string, string>;
  values?: Record<string, string>;
  created?: { userId: string; email: string; invitation: { url: string; expiresAt: string } | null };
}

export function AddUserForm({ grantable, result, pending }: { grantable: Role[]; result?: AddUserResult; pending: boolean }) {
  const failed = result && !result.ok ? result : undefined;
  return (
    <div className="flex flex-col gap-4">
      {result?.created?.invitation ? (
        <InvitationLink email={result.created.email} invitation={result.created.invitation} />
      ) : result?.created ? (
        <p role="status" className="rounded-lg border border-emerald-300 bg-emerald-50 p-4 text-sm dark:border-emerald-800 dark:bg-emerald-950">
          <strong>{result.created.email} was added.</strong> Give them the password over a safe channel; they have to change it at their first login.
        </p>
      ) : null}
      {/* A fresh form after each success, so the fields are empty for the next person. */}
      <Form key={result?.created?.userId ?? "form"} method="post" className="grid gap-4 sm:grid-cols-2" noValidate aria-label="Add user">
        <input type="hidden" name="intent" value="create" />
        <div className="sm:col-span-2">
          <FormError message={failed && !Object.keys(failed.fields ?? {}).length ? failed.message : undefined} code={failed?.code} />
        </div>
        <Field label="Name" name="name" autoComplete="off" defaultValue={failed?.values?.name} error={failed?.fields?.name} />
        <Field label="E-mail" name="email" type="email" autoComplete="off" defaultValue={failed?.values?.email} error={failed?.fields?.email} />
        <SelectField
          label="Role"
          name="role"
          defaultValue={failed?.values?.role ?? "viewer"}
          error={failed?.fields?.role}
          options={grantable.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          hint="You can grant your own role or a lower one."
        />
        <Field
          label="Initial password (optional)"
          name="password"
          type="password"
          autoComplete="new-password"
          required={false}
          error={failed?.fields?.password}
          hint={`Leave empty to get a one-time invitation link. A password needs at least ${PASSWORD_MIN_LENGTH} characters and must be changed at first login.`}
        />
        <div className="sm:col-span-2">
          <SubmitButton pending={pending}>Add user</SubmitButton>
        </div>
      </Form>
    </div>
  );
}

function InvitationLink({ email, invitation }: { email: string; invitation: { url: string; expiresAt: string } }) {
  return (
    <div role="status" className="flex flex-col gap-3 rounded-lg border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950">
      <p className="text-sm">
        <strong>Invitation created for {email}.</strong> Send them this link. It works once and expires <Time iso={invitation.expiresAt} />.
        It is shown only now.
      </p>
      <OneTimeValue label="Invitation link" value={invitation.url} testId="invitation-url" />
    </div>
  );
}
