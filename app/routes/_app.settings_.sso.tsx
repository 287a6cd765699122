import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { RouteErrorBoundary } from "~/components/route-error";
import { BUTTON, INPUT } from "~/components/ui/button-classes";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { Card, EmptyState, PageHeader } from "~/components/ui/page";
import { SelectField } from "~/components/ui/select-field";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { page, readForm, requirePageFeature } from "~/server/http/page.server";
import { ssoPageAction } from "~/server/sso/page-actions.server";
import { listProviders } from "~/server/sso/providers.server";
import { SSO_ROLES } from "~/validation/sso";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("sso");
  const actor = await requireUserWithPermission(request, context, "manage:settings");
  return { providers: (await listProviders(actor)).items };
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("sso");
  const actor = await requireUserWithPermission(request, context, "manage:settings");
  return ssoPageAction(actor, await readForm(request));
});

type Provider = ReturnType<typeof useLoaderData<typeof loader>>["providers"][number];
type ActionResult = { ok: false; message: string; fields: Record<string, string> } | { ok: true; id: string; test: { ok: boolean; message: string; testUrl?: string } } | undefined;

const ROLE_OPTIONS = SSO_ROLES.map((r) => ({ value: r, label: r }));

function Check({ name, label, hint, defaultChecked }: { name: string; label: string; hint: string; defaultChecked?: boolean }) {
  return (
    <div className="flex items-start gap-3">
      <input id={`sso-${name}`} name={name} type="checkbox" defaultChecked={defaultChecked} aria-describedby={`sso-${name}-hint`} className="mt-0.5 h-5 w-5 shrink-0 accent-brand-600" />
      <div>
        <label htmlFor={`sso-${name}`} className="text-sm font-medium">
          {label}
        </label>
        <p id={`sso-${name}-hint`} className="mt-0.5 text-sm text-slate-600 dark:text-slate-400">
          {hint}
        </p>
      </div>
    </div>
  );
}

function TextArea({ name, label, hint, defaultValue, error, rows = 3 }: { name: string; label: string; hint: string; defaultValue?: string; error?: string; rows?: number }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={`sso-${name}`} className="text-sm font-medium">
        {label}
      </label>
      <textarea id={`sso-${name}`} name={name} rows={rows} defaultValue={defaultValue} aria-invalid={error ? true : undefined} aria-describedby={`sso-${name}-hint`} className={`${INPUT} font-mono text-xs`} />
      <p id={`sso-${name}-hint`} className={`text-xs ${error ? "text-red-700 dark:text-red-400" : "text-slate-500 dark:text-slate-400"}`}>
        {error ?? hint}
      </p>
    </div>
  );
}

function ProviderForm({ editing, errors, message }: { editing?: Provider; errors: Record<string, string>; message?: string }) {
  const [type, setType] = useState<string>(editing?.type ?? "oidc");
  const busy = useNavigation().state !== "idle";
  const c = (editing?.config ?? {}) as Record<string, string | boolean | undefined>;
  const s = (k: string, fallback = "") => (typeof c[k] === "string" ? (c[k] as string) : fallback);
  const secretHint = (set?: boolean) => (editing && set ? "Set. Leave blank to keep it; it is never shown." : "Write-only: never shown again.");
  return (
    <Form method="post" className="flex min-w-0 flex-col gap-4" key={editing?.id ?? "new"} noValidate>
      <FormError message={message} />
      <input type="hidden" name="intent" value={editing ? "update" : "create"} />
      {editing ? <input type="hidden" name="id" value={editing.id} /> : null}
      {editing ? (
        <input type="hidden" name="type" value={editing.type} />
      ) : (
        <div className="flex flex-col gap-1">
          <label htmlFor="sso-type" className="text-sm font-medium">
            Protocol
          </label>
          <select id="sso-type" name="type" value={type} onChange={(e) => setType(e.target.value)} aria-describedby="sso-type-hint" className={`${INPUT} w-full min-w-0`}>
            <option value="oidc">OpenID Connect</option>
            <option value="ldap">LDAP / Active Directory</option>
          </select>
          <p id="sso-type-hint" className="text-xs text-slate-500 dark:text-slate-400">
            OpenID Connect: Okta, Entra ID, Google Workspace, Keycloak, Authentik…
          </p>
        </div>
      )}
      <Field label="Name (shown on the login button)" name="name" defaultValue={editing?.name} error={errors.name} />
      {type === "oidc" ? (
        <>
          <Field label="Issuer URL" name="issuer" defaultValue={s("issuer")} error={errors.issuer} hint="e.g. https://keycloak.example.com/realms/main — its /.well-known/openid-configuration is read." />
          <Field label="Client ID" name="clientId" defaultValue={s("clientId")} error={errors.clientId} />
          <Field label="Client secret" name="clientSecret" type="password" autoComplete="new-password" required={false} error={errors.clientSecret} hint={`${secretHint(editing?.secrets.clientSecret)} Empty for a public client (PKCE only).`} />
          <Field label="Scopes" name="scopes" defaultValue={s("scopes", "openid email profile")} error={errors.scopes} />
          <Field label="Groups claim" name="groupsClaim" defaultValue={s("groupsClaim", "groups")} error={errors.groupsClaim} />
        </>
      ) : (
        <>
          <Field label="Directory URL" name="url" defaultValue={s("url")} error={errors.url} hint="ldaps://ldap.example.com:636, or ldap://…:389 with StartTLS." />
          <Check name="startTls" label="StartTLS" hint="Upgrade an ldap:// connection to TLS before binding." defaultChecked={c.startTls === true} />
          <TextArea name="caCertPem" label="CA certificate (PEM)" hint="The CA that signed the directory's certificate. Empty: the system's trusted CAs. The certificate is always checked." defaultValue={s("caCertPem")} error={errors.caCertPem} rows={4} />
          <Field label="Service account DN" name="bindDn" required={false} defaultValue={s("bindDn")} error={errors.bindDn} />
          <Field label="Service account password" name="bindPassword" type="password" autoComplete="new-password" required={false} error={errors.bindPassword} hint={secretHint(editing?.secrets.bindPassword)} />
          <Field label="User search base" name="userBase" defaultValue={s("userBase")} error={errors.userBase} hint="e.g. ou=people,dc=example,dc=com" />
          <Field label="User filter" name="userFilter" defaultValue={s("userFilter", "(uid={username})")} error={errors.userFilter} hint="{username} is replaced by the escaped username. AD: (sAMAccountName={username})" />
          <Field label="E-mail attribute" name="emailAttribute" defaultValue={s("emailAttribute", "mail")} error={errors.emailAttribute} />
          <Field label="Name attribute" name="nameAttribute" defaultValue={s("nameAttribute", "cn")} error={errors.nameAttribute} />
          <Field label="Group search base" name="groupBase" required={false} defaultValue={s("groupBase")} error={errors.groupBase} hint="Empty: groups come from the user's memberOf attribute." />
          <Field label="Group filter" name="groupFilter" defaultValue={s("groupFilter", "(member={dn})")} error={errors.groupFilter} />
          <Check name="allowPlainLdap" label="Allow plain LDAP (no TLS)" hint="Passwords would cross the network in the clear. Only for a directory on the same host." defaultChecked={c.allowPlainLdap === true} />
        </>
      )}
      <TextArea
        name="groupRoleMap"
        label="Group → role"
        hint="One “group = role” per line (admin, operator or viewer). The highest match wins, at every login. LDAP: the group's cn."
        defaultValue={(editing?.groupRoleMap ?? []).map((g) => `${g.group} = ${g.role}`).join("\n")}
        error={errors.groupRoleMap}
      />
      <SelectField label="Role when no group matches" name="defaultRole" options={ROLE_OPTIONS} defaultValue={editing?.defaultRole ?? "viewer"} error={errors.defaultRole} />
      <Check name="jit" label="Create accounts on first login (JIT)" hint="Otherwise only existing members may sign in (matched by a verified e-mail address)." defaultChecked={editing?.jit} />
      <Check name="enforced" label="Require single sign-on" hint="Password logins are refused, except for owners (super_admin), whose break-glass logins are audited." defaultChecked={editing?.enforced} />
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pending={busy}>{editing ? "Save provider" : "Add provider"}</SubmitButton>
        {editing ? (
          <Link to="/settings/sso" className={BUTTON.secondary}>
            Cancel
          </Link>
        ) : null}
      </div>
    </Form>
  );
}

function ProviderCard({ p, test }: { p: Provider; test?: { ok: boolean; message: string; testUrl?: string } }) {
  return (
    <li className="rounded-lg border border-slate-200 p-4 dark:border-slate-800" data-testid="sso-provider">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium">{p.name}</p>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {p.type === "oidc" ? "OpenID Connect" : "LDAP"} · default role {p.defaultRole} · JIT {p.jit ? "on" : "off"}
            {p.enforced ? " · required" : ""}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Form method="post">
            <input type="hidden" name="intent" value="test" />
            <input type="hidden" name="id" value={p.id} />
            <button type="submit" className={BUTTON.secondary}>
              Test
            </button>
          </Form>
          <Link to={`/settings/sso?edit=${p.id}`} className={BUTTON.secondary} aria-label={`Edit ${p.name}`}>
            Edit
          </Link>
          <ConfirmDialog trigger="Delete" triggerLabel={`Delete ${p.name}`} title={`Delete ${p.name}?`} confirm="Delete provider" fields={{ intent: "delete", id: p.id }}>
            Members who signed in through it keep their accounts; they can no longer use this provider.
          </ConfirmDialog>
        </div>
      </div>
      {p.callbackUrl ? (
        <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
          Redirect URI to register at the IdP: <code className="wrap-anywhere font-mono">{p.callbackUrl}</code>
        </p>
      ) : null}
      {test ? (
        <p role="status" className={`mt-2 text-sm ${test.ok ? "text-green-700 dark:text-green-400" : "text-red-700 dark:text-red-400"}`}>
          {test.message}{" "}
          {test.testUrl ? (
            <a href={test.testUrl} className="font-medium underline">
              Sign in once and show the claims
            </a>
          ) : null}
        </p>
      ) : null}
    </li>
  );
}

export default function SsoSettingsPage() {
  const { providers } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult;
  const [params] = useSearchParams();
  const editing = providers.find((p) => p.id === params.get("edit"));
  const failure = result && !result.ok ? result : undefined;
  return (
    <>
      <PageHeader title="Single sign-on" description="Let members sign in with your identity provider. Roles follow their groups at every login.">
        <Link to="/settings" className={BUTTON.secondary}>
          Back to settings
        </Link>
      </PageHeader>
      <div className="grid min-w-0 gap-6 lg:grid-cols-2">
        <Card title="Providers">
          {providers.length ? (
            <ul className="flex flex-col gap-3">
              {providers.map((p) => (
                <ProviderCard key={p.id} p={p} test={result?.ok && result.id === p.id ? result.test : undefined} />
              ))}
            </ul>
          ) : (
            <EmptyState title="No provider yet">Add one to show a “Sign in with …” button on the login page.</EmptyState>
          )}
        </Card>
        <Card title={editing ? `Edit ${editing.name}` : "Add a provider"}>
          <ProviderForm editing={editing} errors={failure?.fields ?? {}} message={failure?.message} />
        </Card>
      </div>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Single sign-on · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
