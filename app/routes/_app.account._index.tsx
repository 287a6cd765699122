import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { describeUserAgent } from "~/components/account/describe-user-agent";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { Card } from "~/components/ui/page";
import { Time } from "~/components/ui/time";
import { useAppData } from "~/routes/_app";
import { requireUser } from "~/server/auth/require.server";
import { PasswordChangeRequiredError } from "~/server/errors.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, parseForm, readForm, redirectWithToast } from "~/server/http/page.server";
import { changePassword, listSessions, revokeSession } from "~/server/users/account.server";
import { ChangePasswordSchema } from "~/validation/auth";
import { PASSWORD_MIN_LENGTH } from "~/validation/password-policy";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  const actor = await requireUser(request, context);
  return { sessions: await listSessions(actor), passwordChangeDue: actor.mustChangePassword === true };
});

const PasswordFormSchema = ChangePasswordSchema.extend({ repeatPassword: z.string().max(256) }).refine((v) => v.newPassword === v.repeatPassword, {
  path: ["repeatPassword"],
  message: "The two new passwords differ.",
});
const RevokeSchema = z.object({ sessionId: z.string().regex(/^[0-9a-f]{16}$/) });

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  const actor = await requireUser(request, context);
  const data = await readForm(request);
  const intent = data.get("intent");
  try {
    if (intent === "password") {
      const form = await parseForm(data, PasswordFormSchema);
      if (!form.ok) return { ok: false as const, intent, message: undefined, fields: form.fields };
      await changePassword(actor, form.data);
      return redirectWithToast("/account", { kind: "success", message: "Password changed. Your other sessions were logged out." });
    }
    // The page stays open to a user who must change their password, for that form only.
    if (actor.mustChangePassword) throw new PasswordChangeRequiredError("Choose a new password first.");
    if (intent === "revoke-session") {
      const form = await parseForm(data, RevokeSchema);
      if (!form.ok) return { ok: false as const, intent, message: "No such session.", fields: {} };
      await revokeSession(actor, form.data.sessionId);
      return redirectWithToast("/account", { kind: "success", message: "The session was logged out." });
    }
    return { ok: false as const, intent, message: "Unknown action.", fields: {} };
  } catch (error) {
    return { ...formFailure(error), intent };
  }
});

export default function ProfileTab() {
  const { sessions, passwordChangeDue } = useLoaderData<typeof loader>();
  const { me } = useAppData();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const failed = result?.intent === "password" ? result : undefined;
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      {passwordChangeDue ? (
        <div role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 lg:col-span-2 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          <strong>Please choose a new password.</strong> An administrator set your current one (or asked for a reset). Change it below; until then the rest of InfraPilot stays closed.
        </div>
      ) : null}
      <Card title="Profile">
        <dl className="grid grid-cols-[6rem_1fr] gap-y-2 text-sm">
          <dt className="text-slate-500 dark:text-slate-400">Name</dt>
          <dd>{me.user.name}</dd>
          <dt className="text-slate-500 dark:text-slate-400">E-mail</dt>
          <dd className="wrap-anywhere">{me.user.email}</dd>
          <dt className="text-slate-500 dark:text-slate-400">Role</dt>
          <dd className="capitalize">{me.user.role.replace("_", " ")}</dd>
          <dt className="text-slate-500 dark:text-slate-400">Two-factor</dt>
          <dd>{me.user.mfaEnabled ? "On" : "Off"}</dd>
        </dl>
      </Card>
      <Card title="Change password">
        <Form method="post" className="flex flex-col gap-4" noValidate>
          <input type="hidden" name="intent" value="password" />
          {/* Lets password managers update the right entry. */}
          <input type="email" name="username" autoComplete="username" value={me.user.email} readOnly hidden />
          <FormError message={failed?.message && !Object.keys(failed.fields ?? {}).length ? failed.message : undefined} />
          <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" error={failed?.fields?.currentPassword} />
          <Field
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            error={failed?.fields?.newPassword}
            hint={`At least ${PASSWORD_MIN_LENGTH} characters. Your other sessions are logged out.`}
          />
          <Field label="Repeat the new password" name="repeatPassword" type="password" autoComplete="new-password" error={failed?.fields?.repeatPassword} />
          <SubmitButton pending={navigation.state !== "idle" && navigation.formData?.get("intent") === "password"}>Change password</SubmitButton>
        </Form>
      </Card>
      <Card title="Active sessions" className="lg:col-span-2">
        {result?.intent === "revoke-session" ? <FormError message={result.message} /> : null}
        <ul className="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Active sessions">
          {sessions.map((s) => (
            <li key={s.id} data-testid="session" className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between">
              <div className="min-w-0 text-sm">
                <p className="font-medium">
                  {describeUserAgent(s.userAgent)}
                  {s.current ? (
                    <span className="ml-2 rounded-full bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-700 dark:bg-slate-800 dark:text-brand-300">This device</span>
                  ) : null}
                </p>
                <p className="text-slate-500 dark:text-slate-400">
                  {s.ip ?? "unknown address"} · last seen <Time iso={s.lastSeenAt} /> · signed in <Time iso={s.createdAt} /> · expires <Time iso={s.expiresAt} />
                </p>
              </div>
              {s.current ? (
                <p className="text-xs text-slate-500 dark:text-slate-400">Use “Log out” to end this one.</p>
              ) : passwordChangeDue ? (
                <p className="text-xs text-slate-500 dark:text-slate-400">Changing your password logs this session out.</p>
              ) : (
                <ConfirmDialog
                  trigger="Revoke"
                  triggerLabel={`Revoke the session of ${describeUserAgent(s.userAgent)} from ${s.ip ?? "an unknown address"}`}
                  title="Log this session out?"
                  confirm="Revoke session"
                  fields={{ intent: "revoke-session", sessionId: s.id }}
                >
                  <p>
                    {describeUserAgent(s.userAgent)} at {s.ip ?? "an unknown address"} is logged out at once, including any live views it has open.
                  </p>
                </ConfirmDialog>
              )}
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Account · InfraPilot" }];
