// The page a mailed reset link opens (docs/decisions/155): choose a new password, once. It does
// not log in — the login page follows, with the second factor when the account has one.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { FormError, NewPasswordField, SubmitButton } from "~/components/ui/field";
import { completePasswordReset, findPasswordReset } from "~/server/auth/password-reset.server";
import { NotFoundError } from "~/server/errors.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, parseForm, redirectWithToast } from "~/server/http/page.server";
import { AcceptInvitationSchema } from "~/validation/users";

export const loader = page(async ({ params }: LoaderFunctionArgs) => {
  const reset = await findPasswordReset(params.token ?? "");
  return reset ? { valid: true as const, email: reset.email } : { valid: false as const, email: "" };
});

export const action = page(async ({ request, params, context }: ActionFunctionArgs) => {
  const form = await parseForm(request, AcceptInvitationSchema);
  if (!form.ok) return { ok: false as const, gone: false, message: undefined, fields: form.fields };
  try {
    await completePasswordReset({ token: params.token ?? "", password: form.data.password }, { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined });
    return redirectWithToast("/login", { kind: "success", message: "Your password was changed. Log in with it." });
  } catch (error) {
    // Used, replaced or expired between showing the form and submitting it.
    if (error instanceof NotFoundError) return { ok: false as const, gone: true, message: error.message, fields: {} };
    return { ...formFailure(error), gone: false };
  }
});

export default function ResetPasswordPage() {
  const reset = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  if (!reset.valid || result?.gone) {
    return (
      <AuthCard title="This reset link does not work">
        <div className="flex flex-col gap-4 text-sm text-slate-600 dark:text-slate-300" data-testid="reset-gone">
          <p>It was used already, a newer link replaced it, it expired (links work for an hour), or it was copied only in part.</p>
          <Link to="/forgot-password" className="self-start rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
            Ask for a new link
          </Link>
        </div>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Choose a new password" subtitle="Every session of this account ends; you log in again with the new password.">
      <Form method="post" className="flex flex-col gap-4" noValidate>
        <FormError message={result?.message} />
        {/* Lets password managers store the new password under the right account. */}
        <input type="email" name="username" autoComplete="username" value={reset.email} readOnly hidden />
        <p className="text-sm">
          Account: <strong className="wrap-anywhere">{reset.email}</strong>
        </p>
        <NewPasswordField error={(result?.fields as Record<string, string> | undefined)?.password} autoFocus />
        <SubmitButton pending={busy}>Set the new password</SubmitButton>
      </Form>
    </AuthCard>
  );
}

export const meta: MetaFunction = () => [{ title: "Reset password · InfraPilot" }, { name: "robots", content: "noindex" }, { name: "referrer", content: "no-referrer" }];
