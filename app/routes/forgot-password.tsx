// "Forgot password": asks for the address and mails a one-time link (docs/decisions/155). The
// answer is the same whether or not the address has an account. Without SMTP_URL there is no
// mail to send: the page says to ask an administrator.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { passwordResetAvailable, requestPasswordReset, RESET_TTL_MS } from "~/server/auth/password-reset.server";
import { getActor } from "~/server/auth/require.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, parseForm } from "~/server/http/page.server";
import { ForgotPasswordSchema } from "~/validation/auth";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  if (await getActor(request, context)) throw redirect("/account/security");
  return { available: passwordResetAvailable(), validMinutes: RESET_TTL_MS / 60_000 };
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  const form = await parseForm(request, ForgotPasswordSchema);
  if (!form.ok) return { ok: false as const, fields: form.fields, message: undefined, email: form.values.email ?? "" };
  try {
    await requestPasswordReset(form.data, { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined });
    return { ok: true as const, email: form.data.email };
  } catch (error) {
    return { ...formFailure(error), email: form.data.email };
  }
});

export default function ForgotPasswordPage() {
  const { available, validMinutes } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const back = (
    <Link to="/login" className="text-sm font-medium text-brand-700 hover:underline dark:text-brand-300">
      Back to the login page
    </Link>
  );
  if (!available) {
    return (
      <AuthCard title="Forgot your password?">
        <div className="flex flex-col gap-4 text-sm text-slate-600 dark:text-slate-300" data-testid="reset-unavailable">
          <p>This InfraPilot does not send e-mail, so it cannot mail you a reset link.</p>
          <p>Ask an administrator to reset your password.</p>
          {back}
        </div>
      </AuthCard>
    );
  }
  if (result?.ok) {
    return (
      <AuthCard title="Check your e-mail">
        <div role="status" className="flex flex-col gap-4 text-sm text-slate-600 dark:text-slate-300">
          <p>
            If <strong className="wrap-anywhere">{result.email}</strong> belongs to an account here, a link to choose a new password is on its way. It works once, for {validMinutes} minutes.
          </p>
          <p>Nothing arrived? Check the spam folder, or ask again in a few minutes.</p>
          {back}
        </div>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Forgot your password?" subtitle="Enter the address you log in with. We will mail you a link to choose a new password.">
      <Form method="post" className="flex flex-col gap-4" noValidate>
        <FormError message={result?.message} />
        <Field label="E-mail" name="email" type="email" autoComplete="username" defaultValue={result?.email} error={result?.fields?.email} autoFocus />
        <SubmitButton pending={busy}>Mail me a link</SubmitButton>
      </Form>
      <p className="mt-4 text-center">{back}</p>
    </AuthCard>
  );
}

export const meta: MetaFunction = () => [{ title: "Forgot password · InfraPilot" }];
