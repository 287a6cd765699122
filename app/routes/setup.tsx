import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { Field, FormError, NewPasswordField, SubmitButton } from "~/components/ui/field";
import { login } from "~/server/auth/login.server";
import { OPERATOR_HOME } from "~/server/auth/require.server";
import { edition } from "~/server/edition.server";
import { completeSetup, setupNeeded } from "~/server/auth/setup.server";
import { setupCodeRequired } from "~/server/auth/setup-code.server";
import { ConflictError, SetupCodeError, ValidationError } from "~/server/errors.server";
import { parseForm, redirectWithToast, page } from "~/server/http/page.server";
import { SetupSchema } from "~/validation/auth";

export const loader = page(async ({ context }: LoaderFunctionArgs) => {
  if (!(await setupNeeded())) throw redirect("/login");
  return { codeRequired: setupCodeRequired(context.clientIsLocal), saas: edition() === "saas" };
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  const form = await parseForm(request, SetupSchema);
  if (!form.ok) return { fields: form.fields, values: form.values, message: undefined };
  const meta = { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined, clientIsLocal: context.clientIsLocal };
  try {
    await completeSetup(form.data, meta);
  } catch (error) {
    if (error instanceof ConflictError) throw redirectWithToast("/login", { kind: "info", message: error.message });
    if (error instanceof ValidationError || error instanceof SetupCodeError) {
      return { fields: error.fields ?? {}, values: { email: form.data.email, name: form.data.name }, message: error instanceof SetupCodeError ? undefined : error.message };
    }
    throw error;
  }
  const result = await login({ email: form.data.email, password: form.data.password }, meta);
  if (result.mfaRequired) throw redirect("/login");
  if (result.operator) return redirectWithToast(OPERATOR_HOME, { kind: "success", message: "Welcome to InfraPilot. Your operator account is ready." }, { "Set-Cookie": result.cookie });
  return redirectWithToast("/dashboard", { kind: "success", message: "Welcome to InfraPilot. Your administrator account is ready." }, { "Set-Cookie": result.cookie });
});

export default function SetupPage() {
  const { codeRequired, saas } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <AuthCard
      title="Set up InfraPilot"
      subtitle={
        saas
          ? "Create the platform operator account. It runs the service (organizations, plans, suspensions) and sees no customer data; customers sign up for their own organizations."
          : "Create the first administrator account. It can manage everything, including other users."
      }
    >
      <Form method="post" className="flex flex-col gap-4" noValidate>
        <FormError message={result?.message ?? result?.fields?._} />
        {codeRequired ? (
          <Field
            label="Setup code"
            name="setupCode"
            autoComplete="off"
            error={result?.fields?.setupCode}
            hint="You are not on the machine InfraPilot runs on, so prove you can read its log: when it started, InfraPilot printed a one-time code there (look for setupCode in docker logs, or in the terminal that runs npm start)."
            autoFocus
          />
        ) : null}
        <Field label="Your name" name="name" autoComplete="name" defaultValue={result?.values?.name} error={result?.fields?.name} autoFocus={!codeRequired} />
        <Field label="E-mail" name="email" type="email" autoComplete="email" defaultValue={result?.values?.email} error={result?.fields?.email} />
        <NewPasswordField error={result?.fields?.password} />
        <SubmitButton pending={busy}>{saas ? "Create operator" : "Create administrator"}</SubmitButton>
      </Form>
    </AuthCard>
  );
}

export const meta: MetaFunction = () => [{ title: "Set up · InfraPilot" }];
