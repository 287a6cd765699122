import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { AuthCard } from "~/components/auth-card";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { completeMfaLogin, login } from "~/server/auth/login.server";
import { getActor, getPlatformActor, OPERATOR_HOME } from "~/server/auth/require.server";
import { nobodyCanLogIn } from "~/server/auth/setup.server";
import { ForbiddenError, ServiceUnavailableError, ThrottledError, UnauthorizedError } from "~/server/errors.server";
import { ldapLogin } from "~/server/sso/ldap-login.server";
import { publicProviders } from "~/server/sso/providers.server";
import { clearMfaHandOff, readMfaHandOff } from "~/server/sso/sso-page.server";
import { ssoErrorMessage } from "~/sso-messages";
import { LdapLoginSchema } from "~/validation/sso";
import { parseForm, readForm, safeRedirectPath, page } from "~/server/http/page.server";
import { LoginSchema, MfaVerifySchema } from "~/validation/auth";
import { edition } from "~/server/edition.server";
import { signupOpen } from "~/server/orgs/signup.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  if (await nobodyCanLogIn()) throw redirect("/setup");
  if (await getActor(request, context)) throw redirect("/dashboard");
  if (await getPlatformActor(request, context)) throw redirect(OPERATOR_HOME);
  const url = new URL(request.url);
  // SSO buttons: Community's one organization, or (SaaS) the organization named by ?org=<slug>.
  const providers = await publicProviders({ community: edition() === "community", orgSlug: url.searchParams.get("org") ?? undefined });
  return {
    // SaaS with SIGNUP=open: the login page links to the sign-up page.
    signup: edition() === "saas" && signupOpen(),
    providers,
    ssoError: ssoErrorMessage(url.searchParams.get("sso_error")),
    // An OIDC login that needs InfraPilot's TOTP continues here (the challenge came in a cookie).
    mfaChallenge: url.searchParams.get("sso") === "mfa" ? readMfaHandOff(request.headers.get("cookie")) : null,
  };
});

/** The platform operator has only the console: a tenant page to return to would send them there anyway. */
function landing(redirectTo: string, operator: boolean): string {
  return operator && !redirectTo.startsWith(`${OPERATOR_HOME}`) ? OPERATOR_HOME : redirectTo;
}

type Result = { step: "password" | "mfa"; fields: Record<string, string>; values: Record<string, string>; message?: string; challenge?: string; providerId?: string };

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
      const headers = new Headers({ "Set-Cookie": cookie });
      headers.append("Set-Cookie", clearMfaHandOff());
      return redirect(landing(redirectTo, operator), { headers });
    }
    if (data.get("intent") === "ldap") {
      const providerId = String(data.get("providerId") ?? "");
      const form = await parseForm(data, LdapLoginSchema);
      if (!form.ok) return { step, fields: form.fields, values: form.values, providerId };
      const result = await ldapLogin(providerId, form.data, meta);
      if (result.mfaRequired) return { step: "mfa", fields: {}, values: {}, challenge: result.challenge };
      return redirect(redirectTo, { headers: { "Set-Cookie": result.cookie } });
    }
    const form = await parseForm(data, LoginSchema);
    if (!form.ok) return { step, fields: form.fields, values: form.values };
    const result = await login(form.data, meta);
    if (result.mfaRequired) return { step: "mfa", fields: {}, values: {}, challenge: result.challenge };
    return redirect(landing(redirectTo, result.operator), { headers: { "Set-Cookie": result.cookie } });
  } catch (error) {
    if (error instanceof UnauthorizedError || error instanceof ThrottledError || error instanceof ForbiddenError || error instanceof ServiceUnavailableError) {
      const expired = /expired|already been used/.test(error.message);
      return {
        step: expired ? "password" : step,
        fields: {},
        values: { email: String(data.get("email") ?? ""), username: String(data.get("username") ?? "") },
        message: error.message,
        providerId: data.get("intent") === "ldap" ? String(data.get("providerId") ?? "") : undefined,
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
  const challenge = result?.step === "mfa" && result.challenge ? result.challenge : !result && loaded?.mfaChallenge ? loaded.mfaChallenge : null;
  if (challenge) {
    return (
      <AuthCard title="Two-factor authentication" subtitle="Enter the 6-digit code from your authenticator app, or one of your backup codes.">
        <Form method="post" className="flex flex-col gap-4" noValidate>
          <FormError message={result?.message} />
          {redirectTo}
          <input type="hidden" name="intent" value="mfa" />
          <input type="hidden" name="challenge" value={challenge} />
          <Field label="Code" name="code" autoComplete="one-time-code" error={result?.fields?.code} autoFocus />
          <SubmitButton pending={busy}>Verify</SubmitButton>
        </Form>
      </AuthCard>
    );
  }
  const providers = loaded?.providers ?? [];
  const ldapResult = result?.providerId ? result : undefined;
  const passwordResult = result?.providerId ? undefined : result;
  return (
    <AuthCard title="Log in">
      <SsoButtons providers={providers} redirectTo={params.get("redirectTo")} error={loaded?.ssoError} ldapResult={ldapResult} busy={busy} />
      <Form method="post" className="flex flex-col gap-4" noValidate>
        <FormError message={passwordResult?.message ?? passwordResult?.fields?._} />
        {redirectTo}
        <Field label="E-mail" name="email" type="email" autoComplete="username" defaultValue={passwordResult?.values?.email} error={passwordResult?.fields?.email} autoFocus={!providers.length} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" error={passwordResult?.fields?.password} />
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

type PublicProvider = { id: string; type: string; name: string; loginUrl: string };

/** The organization's single sign-on: a button per OIDC provider, a username/password form per directory. */
function SsoButtons({ providers, redirectTo, error, ldapResult, busy }: { providers: PublicProvider[]; redirectTo: string | null; error?: string; ldapResult?: Result; busy: boolean }) {
  if (!providers.length && !error) return null;
  const back = redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : "";
  return (
    <div className="mb-6 flex flex-col gap-3" data-testid="sso">
      <FormError message={error} />
      {providers
        .filter((p) => p.type === "oidc")
        .map((p) => (
          <a
            key={p.id}
            href={`${p.loginUrl}${back}`}
            className="flex min-h-11 items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-900 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700"
          >
            Sign in with {p.name}
          </a>
        ))}
      {providers
        .filter((p) => p.type === "ldap")
        .map((p) => (
          <details key={p.id} open={ldapResult?.providerId === p.id} className="rounded-md border border-slate-300 dark:border-slate-600">
            <summary className="flex min-h-11 cursor-pointer items-center justify-center px-4 py-2 text-sm font-medium">Sign in with {p.name}</summary>
            <Form method="post" className="flex flex-col gap-4 border-t border-slate-200 p-4 dark:border-slate-700" noValidate>
              <FormError message={ldapResult?.providerId === p.id ? (ldapResult.message ?? ldapResult.fields?._) : undefined} />
              <input type="hidden" name="intent" value="ldap" />
              <input type="hidden" name="providerId" value={p.id} />
              <input type="hidden" name="redirectTo" value={redirectTo ?? ""} />
              <Field label="Username" name="username" autoComplete="username" defaultValue={ldapResult?.providerId === p.id ? ldapResult.values?.username : undefined} error={ldapResult?.providerId === p.id ? ldapResult.fields?.username : undefined} />
              <Field label="Password" name="password" type="password" autoComplete="current-password" error={ldapResult?.providerId === p.id ? ldapResult.fields?.password : undefined} />
              <SubmitButton pending={busy}>Sign in</SubmitButton>
            </Form>
          </details>
        ))}
      {providers.length ? (
        <p className="flex items-center gap-3 text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
          <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" />
          or with your InfraPilot password
          <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" />
        </p>
      ) : null}
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Log in · InfraPilot" }];
