import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { BUTTON } from "~/components/ui/button-classes";
import { RouteErrorBoundary } from "~/components/route-error";
import { FormError, SubmitButton } from "~/components/ui/field";
import { Card, PageHeader } from "~/components/ui/page";
import { hasFeature } from "~/features";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { edition } from "~/server/edition.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, parseForm, redirectWithToast, requirePageFeature } from "~/server/http/page.server";
import { getSecuritySettings, instanceFacts, setRequireMfa } from "~/server/settings/security.server";
import { SecuritySettingsFormSchema } from "~/validation/settings";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("settings");
  const actor = await requireUserWithPermission(request, context, "manage:settings");
  return { security: await getSecuritySettings(actor), facts: instanceFacts(actor), actorHasMfa: actor.mfaEnabled, hasPlans: hasFeature(edition(), "planLimits") };
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("settings");
  const actor = await requireUserWithPermission(request, context, "manage:settings");
  const form = await parseForm(request, SecuritySettingsFormSchema);
  if (!form.ok) return { ok: false as const, message: form.fields.requireMfa ?? "That request was not valid." };
  try {
    const { requireMfa } = await setRequireMfa(actor, form.data.requireMfa);
    return redirectWithToast("/settings", {
      kind: "success",
      message: requireMfa ? "Two-factor authentication is now required. Members without it are asked to set it up." : "Two-factor authentication is now optional.",
    });
  } catch (error) {
    return formFailure(error);
  }
});

export default function SettingsPage() {
  const { security, facts, actorHasMfa, hasPlans } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <>
      <PageHeader title="Settings" description="Organization-wide settings." />
      <div className="grid gap-6 lg:grid-cols-2">
        {hasPlans ? (
          <Card title="Plan" className="lg:col-span-2">
            <p className="text-sm text-slate-600 dark:text-slate-300">
              The organization's plan limits its agents, members, log retention and monthly log volume.{" "}
              <Link to="/settings/plan" className="font-medium text-brand-700 underline underline-offset-2 hover:no-underline dark:text-brand-300">
                See the plan and usage
              </Link>
            </p>
          </Card>
        ) : null}
        <Card title="Security">
          <Form method="post" className="flex flex-col gap-4">
            <FormError message={result?.message} />
            <div className="flex items-start gap-3">
              <input
                id="requireMfa"
                name="requireMfa"
                type="checkbox"
                role="switch"
                defaultChecked={security.requireMfa}
                aria-describedby="requireMfa-hint"
                className="mt-0.5 h-5 w-5 shrink-0 rounded border-slate-300 accent-brand-600 dark:border-slate-700"
              />
              <div>
                <label htmlFor="requireMfa" className="text-sm font-medium">
                  Require two-factor authentication for everyone
                </label>
                <p id="requireMfa-hint" className="mt-1 text-sm text-slate-600 dark:text-slate-400">
                  Members without it can do nothing but set it up until it is on. API tokens keep working.
                  {!actorHasMfa ? " You have not set it up yourself yet, so you will be asked to right after saving." : null}
                </p>
              </div>
            </div>
            <div>
              <SubmitButton pending={busy}>Save</SubmitButton>
            </div>
          </Form>
        </Card>
        <Card title="Single sign-on">
          <p className="text-sm text-slate-600 dark:text-slate-400">Sign in with OpenID Connect (Okta, Entra ID, Google, Keycloak, Authentik) or LDAP / Active Directory; roles follow groups.</p>
          <Link to="/settings/sso" className={`${BUTTON.secondary} mt-3`}>
            Configure single sign-on
          </Link>
        </Card>
        <Card title="This installation">
          <dl className="grid grid-cols-[8rem_1fr] gap-y-2 text-sm">
            <dt className="text-slate-500 dark:text-slate-400">Edition</dt>
            <dd className="capitalize" data-testid="edition">
              {facts.edition}
            </dd>
            <dt className="text-slate-500 dark:text-slate-400">Public URL</dt>
            <dd className="wrap-anywhere font-mono text-xs">{facts.publicUrl}</dd>
            <dt className="text-slate-500 dark:text-slate-400">Database</dt>
            <dd>{facts.database === "embedded" ? "Embedded PostgreSQL (in the data directory)" : "External PostgreSQL (DATABASE_URL)"}</dd>
          </dl>
          <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">These come from environment variables and change only with a restart. Secrets are never shown here.</p>
        </Card>
      </div>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Settings · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
