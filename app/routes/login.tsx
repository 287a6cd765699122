import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { AuthCard } from "~/components/auth-card";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { completeMfaLogin, login } from "~/server/auth/login.server";
import { getActor, getPlatformActor, OPERATOR_HOME } from "~/server/auth/require.server";
import { nobodyCanLogIn } from "~/server/auth/setup.server";
import { ThrottledError, UnauthorizedError } from "~/server/errors.server";
import { parseForm, readForm, safeRedirectPath, page } from "~/server/http/page.server";
import { LoginSchema, MfaVerifySchema } from "~/validation/auth";
import { edition } from "~/server/edition.server";
import { signupOpen } from "~/server/orgs/signup.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  if (await nobodyCanLogIn()) throw redirect("/setup");
  if (await getActor(request, context)) throw redirect("/dashboard");
  if (await getPlatformActor(request, context)) throw redirect(OPERATOR_HOME);
  // SaaS with SIGNUP=open: the login page links to the sign-up page.
  return { signup: edition() === "saas" && signupOpen() };
});

/** The platform operator has only the console: a tenant page to return to would send them there anyway. */
function landing(redirectTo: string, operator: boolean): string {
  return operator && !redirectTo.startsWith(`${OPERATOR_HOME}`) ? OPERATOR_HOME : redirectTo;
}

type Result = { step: "password" | "mfa"; fields: Record<string, string>; values: Record<string, string>; message?: string; challenge?: string };

export const action = page(async ({ request, context }: ActionFunctionArgs): Promise<Result | Response> => {
  const data = await readForm(request);
  const redirectTo = safeRedirectPath(data.get("redirectTo"));
  const meta = { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined };
  const step = data.get("intent") === "mfa" ? "mfa" : "password";
  try {
    if (step === "mfa") {
      const form = await parseForm(data, MfaVerifySchema.extend({ challenge: z.string().min(1).max(100) }));
      if (!form.ok) return { step, fields: form.fields, values: {}, challenge: String(data.get("challenge") ?? "") };
      const { cookie, operator } = await completeMfaLogin(form.data, meta);
      return redirect(landing(redirectTo, operator), { headers: { "Set-Cookie": cookie } });
    }
    const form = await parseForm(data, LoginSchema);
    if (!form.ok) return { step, fields: form.fields, values: form.values };
    const result = await login(form.data, meta);
    if (result.mfaRequired) return { step: "mfa", fields: {}, values: {}, challenge: result.challenge };
    return redirect(landing(redirectTo, result.operator), { headers: { "Set-Cookie": result.cookie } });
  } catch (error) {
    if (error instanceof UnauthorizedError || error instanceof ThrottledError) {
      const expired = /expired|already been used/.test(error.message);
      return {
        step: expired ? "password" : step,
        fields: {},
        values: { email: String(data.get("email") ?? "") },
        message: error.message,
        challenge: expired ? undefined : String(data.get("challenge") ?? ""),
      };
    }
    throw error;
  }
});

export default function LoginPage() {
  const result = useActionData<typeof action>() as Result | undefined;
  const loaded = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  const redirectTo = <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />;
  if (result?.step === "mfa" && result.challenge) {
    return (
      <AuthCard title="Two-factor authentication" subtitle="Enter the 6-digit code from your authenticator app, or one of your backup codes.">
        <Form method="post" className="flex flex-col gap-4" noValidate>
          <FormError message={result.message} />
          {redirectTo}
          <input type="hidden" name="intent" value="mfa" />
          <input type="hidden" name="challenge" value={result.challenge} />
          <Field label="Code" name="code" autoComplete="one-time-code" error={result.fields?.code} autoFocus />
          <SubmitButton pending={busy}>Verify</SubmitButton>
        </Form>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Log in">
      <Form method="post" className="flex flex-col gap-4" noValidate>
        <FormError message={result?.message ?? result?.fields?._} />
        {redirectTo}
        <Field label="E-mail" name="email" type="email" autoComplete="username" defaultValue={result?.values?.email} error={result?.fields?.email} autoFocus />
        <Field label="Password" name="password" type="password" autoComplete="current-password" error={result?.fields?.password} />
        <SubmitButton pending={busy}>Log in</SubmitButton>
      </Form>
      <p className="mt-4 text-center text-sm">
        <Link to="/forgot-password" className="font-medium text-brand-700 hover:underline dark:text-brand-300">
          Forgot your password?
        </Link>
      </p>
      {loaded?.signup ? (
        <p className="mt-4 text-center text-sm text-slate-600 dark:text-slate-300">
          New here?{" "}
          <Link to="/signup" className="font-medium text-brand-700 hover:underline dark:text-brand-300">
            Create an account
          </Link>
        </p>
      ) : null}
    </AuthCard>
  );
}

export const meta: MetaFunction = () => [{ title: "Log in · InfraPilot" }];
