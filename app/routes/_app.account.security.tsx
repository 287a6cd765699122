import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { BackupCodes } from "~/components/account/backup-codes";
import { MfaEnrolment } from "~/components/account/mfa-enrolment";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { Card } from "~/components/ui/page";
import { requireUser } from "~/server/auth/require.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, parseForm, readForm, redirectWithToast } from "~/server/http/page.server";
import { backupCodesRemaining, beginMfaSetup, disableMfa, enableMfa, regenerateBackupCodes } from "~/server/mfa/mfa.server";
import { MfaDisableSchema, MfaEnableSchema } from "~/validation/auth";

// Users whose organization requires MFA are sent here and may use this page (only this one).
export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  const actor = await requireUser(request, context, { allowMfaSetup: true });
  const required = actor.mfaSetupRequired === true || new URL(request.url).searchParams.get("required") === "1";
  const backupCodesLeft = actor.mfaEnabled ? await backupCodesRemaining(actor) : 0;
  return { mfaEnabled: actor.mfaEnabled, required, email: actor.email, backupCodesLeft };
});

type Intent = "start" | "enable" | "disable" | "regenerate";

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  const actor = await requireUser(request, context, { allowMfaSetup: true });
  const data = await readForm(request);
  const intent = String(data.get("intent")) as Intent;
  try {
    if (intent === "start") {
      const { secret, qrSvg } = await beginMfaSetup(actor);
      return { ok: true as const, intent, setup: { secret, qrSvg } };
    }
    if (intent === "enable") {
      const form = await parseForm(data, MfaEnableSchema);
      if (!form.ok) return { ok: false as const, intent, message: form.fields.code ?? "Enter the code.", fields: form.fields };
      return { ok: true as const, intent, ...(await enableMfa(actor, form.data.code)) };
    }
    if (intent === "regenerate") {
      const form = await parseForm(data, MfaEnableSchema);
      if (!form.ok) return { ok: false as const, intent, message: form.fields.code ?? "Enter the code.", fields: form.fields };
      return { ok: true as const, intent, ...(await regenerateBackupCodes(actor, form.data.code)) };
    }
    if (intent === "disable") {
      const form = await parseForm(data, MfaDisableSchema);
      if (!form.ok) return { ok: false as const, intent, message: "Enter your password and a code.", fields: form.fields };
      await disableMfa(actor, form.data);
      return redirectWithToast("/account/security", { kind: "success", message: "Two-factor authentication is off. Your backup codes no longer work." });
    }
    return { ok: false as const, intent, message: "Unknown action.", fields: {} };
  } catch (error) {
    return { ...formFailure(error), intent };
  }
});

type Result = { ok: boolean; intent: Intent; message?: string; fields?: Record<string, string>; setup?: { secret: string; qrSvg: string }; backupCodes?: string[] };

export default function SecurityTab() {
  const { mfaEnabled, required, email, backupCodesLeft } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  const navigation = useNavigation();
  const pending = (intent: Intent) => navigation.state !== "idle" && navigation.formData?.get("intent") === intent;
  const failed = (intent: Intent) => (result && !result.ok && result.intent === intent ? result : undefined);
  const continueTo = required ? "/dashboard" : "/account/security";

  return (
    <div className="flex flex-col gap-6">
      {required && !mfaEnabled ? (
        <div role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          <strong>Your organization requires two-factor authentication.</strong> Set it up now to continue using InfraPilot; the rest of the app opens
          once it is on.
        </div>
      ) : null}
      <Card title="Two-factor authentication">
        {result?.setup ? (
          // Kept on screen after the confirmation too, so the backup codes it shows stay visible.
          <MfaEnrolment secret={result.setup.secret} qrSvg={result.setup.qrSvg} email={email} continueTo={continueTo} />
        ) : mfaEnabled ? (
          <div className="flex flex-col gap-2 text-sm">
            <p>
              <span className="font-medium text-emerald-700 dark:text-emerald-400">On.</span> After your password, InfraPilot asks for a code from your
              authenticator app or one of your backup codes.
            </p>
            <p className={backupCodesLeft <= 2 ? "text-amber-700 dark:text-amber-400" : "text-slate-600 dark:text-slate-400"} data-testid="backup-codes-left">
              {backupCodesLeft} unused backup code{backupCodesLeft === 1 ? "" : "s"} left{backupCodesLeft <= 2 ? " — make new ones below." : "."}
            </p>
          </div>
        ) : (
          <Form method="post" className="flex flex-col items-start gap-3 text-sm">
            <p>
              <span className="font-medium">Off.</span> Protect your account with a second step at login: a 6-digit code from an authenticator app on
              your phone.
            </p>
            <FormError message={failed("start")?.message} />
            <input type="hidden" name="intent" value="start" />
            <SubmitButton pending={pending("start")}>Set up two-factor authentication</SubmitButton>
          </Form>
        )}
      </Card>

      {mfaEnabled && !result?.setup ? (
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="Backup codes">
            {result?.intent === "regenerate" && result.ok && result.backupCodes ? (
              <BackupCodes codes={result.backupCodes} email={email} />
            ) : (
              <Form method="post" className="flex flex-col gap-3 text-sm" noValidate>
                <p>New codes replace all old ones, used or not. Confirm with a current code from your app.</p>
                <input type="hidden" name="intent" value="regenerate" />
                <FormError message={failed("regenerate") && !failed("regenerate")?.fields?.code ? failed("regenerate")?.message : undefined} />
                <Field label="Code from the app" name="code" autoComplete="one-time-code" error={failed("regenerate")?.fields?.code} />
                <div>
                  <SubmitButton pending={pending("regenerate")}>Make new backup codes</SubmitButton>
                </div>
              </Form>
            )}
          </Card>
          <Card title="Turn off">
            <Form method="post" className="flex flex-col gap-3 text-sm" noValidate>
              <p>
                Turning it off needs your password and a code (from the app or a backup code).
                {required ? " Your organization requires it, so you will be asked to set it up again right away." : null}
              </p>
              <input type="hidden" name="intent" value="disable" />
              <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
              <FormError message={failed("disable")?.message} />
              <Field label="Password" name="password" type="password" autoComplete="current-password" error={failed("disable")?.fields?.password} />
              <Field label="Code" name="code" autoComplete="one-time-code" error={failed("disable")?.fields?.code} />
              <div>
                <button
                  type="submit"
                  disabled={pending("disable")}
                  className="inline-flex items-center justify-center rounded-md bg-red-600 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-red-700 disabled:opacity-60"
                >
                  {pending("disable") ? "Working…" : "Turn off two-factor authentication"}
                </button>
              </div>
            </Form>
          </Card>
        </div>
      ) : null}
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Security · Account · InfraPilot" }];
