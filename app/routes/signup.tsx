import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { Field, FormError, NewPasswordField, SubmitButton } from "~/components/ui/field";
import { getActor } from "~/server/auth/require.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, parseForm, redirectWithToast, requirePageFeature } from "~/server/http/page.server";
import { signup, signupOpen } from "~/server/orgs/signup.server";
import { SignupSchema } from "~/validation/orgs";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("organizations");
  if (await getActor(request, context)) throw redirect("/dashboard");
  return { open: signupOpen() };
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("organizations");
  const form = await parseForm(request, SignupSchema);
  if (!form.ok) return { ok: false as const, message: undefined, fields: form.fields, values: form.values };
  try {
    const { cookie, org } = await signup(form.data, { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined });
    return redirectWithToast("/dashboard", { kind: "success", message: `Welcome to InfraPilot. ${org.name} is ready.` }, { "Set-Cookie": cookie });
  } catch (error) {
    const failure = formFailure(error);
    const fields = failure.fields.email || !/e-mail/.test(failure.message) ? failure.fields : { ...failure.fields, email: failure.message };
    return { ...failure, fields, values: { email: form.data.email, name: form.data.name, orgName: form.data.orgName } };
  }
});

export default function SignupPage() {
  const { open } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  if (!open) {
    return (
      <AuthCard title="Sign-up is closed">
        <p className="text-sm text-slate-600 dark:text-slate-300">This service does not take new sign-ups. Ask an organization's admin to invite you; the invitation e-mail has a link to join.</p>
        <Link to="/login" className="mt-4 inline-block text-sm font-medium text-brand-700 hover:underline dark:text-brand-300">
          Go to the login page
        </Link>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Create your account" subtitle="An account and your first organization. You can invite your team afterwards.">
      <Form method="post" className="flex flex-col gap-4" noValidate>
        <FormError message={result?.fields?.email ? undefined : result?.message} />
        <Field label="Your name" name="name" autoComplete="name" defaultValue={result?.values?.name} error={result?.fields?.name} autoFocus />
        <Field label="E-mail" name="email" type="email" autoComplete="username" defaultValue={result?.values?.email} error={result?.fields?.email} />
        <NewPasswordField error={result?.fields?.password} />
        <Field label="Organization name" name="orgName" autoComplete="organization" defaultValue={result?.values?.orgName} error={result?.fields?.orgName} />
        <SubmitButton pending={busy}>Create account</SubmitButton>
      </Form>
      <p className="mt-4 text-center text-sm text-slate-600 dark:text-slate-300">
        Have an account?{" "}
        <Link to="/login" className="font-medium text-brand-700 hover:underline dark:text-brand-300">
          Log in
        </Link>
      </p>
    </AuthCard>
  );
}

export const meta: MetaFunction = () => [{ title: "Sign up · InfraPilot" }];
