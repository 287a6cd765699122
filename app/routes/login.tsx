import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { login } from "~/server/auth/login.server";
import { getActor } from "~/server/auth/require.server";
import { setupNeeded } from "~/server/auth/setup.server";
import { ThrottledError, UnauthorizedError } from "~/server/errors.server";
import { parseForm, readForm, safeRedirectPath, page } from "~/server/http/page.server";
import { LoginSchema } from "~/validation/auth";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  if (await setupNeeded()) throw redirect("/setup");
  if (await getActor(request, context)) throw redirect("/dashboard");
  return null;
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  const data = await readForm(request);
  const form = await parseForm(data, LoginSchema);
  const redirectTo = safeRedirectPath(data.get("redirectTo"));
  if (!form.ok) return { fields: form.fields, values: form.values, message: undefined };
  try {
    const { cookie } = await login(form.data, { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined });
    return redirect(redirectTo, { headers: { "Set-Cookie": cookie } });
  } catch (error) {
    if (error instanceof UnauthorizedError || error instanceof ThrottledError) {
      return { fields: {} as Record<string, string>, values: { email: form.data.email }, message: error.message };
    }
    throw error;
  }
});

export default function LoginPage() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  return (
    <AuthCard title="Log in">
      <Form method="post" className="flex flex-col gap-4" noValidate>
        <FormError message={result?.message ?? result?.fields?._} />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
        <Field label="E-mail" name="email" type="email" autoComplete="username" defaultValue={result?.values?.email} error={result?.fields?.email} autoFocus />
        <Field label="Password" name="password" type="password" autoComplete="current-password" error={result?.fields?.password} />
        <SubmitButton pending={busy}>Log in</SubmitButton>
      </Form>
    </AuthCard>
  );
}

export const meta: MetaFunction = () => [{ title: "Log in · InfraPilot" }];
