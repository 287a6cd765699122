import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { Badge } from "~/components/ui/badge";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { OneTimeValue } from "~/components/ui/copy-button";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { Card, EmptyState } from "~/components/ui/page";
import { SelectField } from "~/components/ui/select-field";
import { Time } from "~/components/ui/time";
import { scopeWithin, TOKEN_SCOPES, type TokenScope } from "~/permissions";
import { requireUser } from "~/server/auth/require.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, parseForm, readForm, redirectWithToast } from "~/server/http/page.server";
import { createToken, listTokens, revokeToken } from "~/server/tokens/tokens.server";
import { CreateTokenSchema } from "~/validation/users";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  const actor = await requireUser(request, context);
  const now = Date.now();
  const tokens = (await listTokens(actor)).map((t) => ({ ...t, expired: t.expiresAt !== null && Date.parse(t.expiresAt) <= now }));
  return { tokens, scopes: TOKEN_SCOPES.filter((s) => scopeWithin(actor.role, s)) };
});

const EXPIRY_CHOICES = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "Never" },
];
const ExpirySchema = z.object({ expiresIn: z.enum(["7", "30", "90", "365", "never"], { message: "Choose when the token expires." }) });
const RevokeSchema = z.object({ tokenId: z.string().min(1).max(100) });

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  const actor = await requireUser(request, context);
  const data = await readForm(request);
  const intent = data.get("intent");
  try {
    if (intent === "create") {
      const expiry = await parseForm(data, ExpirySchema);
      // The form offers durations; the shared schema (and the API) take an absolute time.
      if (expiry.ok && expiry.data.expiresIn !== "never") data.set("expiresAt", new Date(Date.now() + Number(expiry.data.expiresIn) * 86_400_000).toISOString());
      const form = await parseForm(data, CreateTokenSchema);
      if (!expiry.ok || !form.ok) {
        const fields = { ...(expiry.ok ? {} : expiry.fields), ...(form.ok ? {} : form.fields) };
        return { ok: false as const, message: undefined, fields, values: { name: String(data.get("name") ?? "") } };
      }
      const created = await createToken(actor, form.data);
      return { ok: true as const, created: { name: created.token.name, scope: created.token.scope, secret: created.secret } };
    }
    if (intent === "revoke") {
      const form = await parseForm(data, RevokeSchema);
      if (!form.ok) return { ok: false as const, message: "No such token.", fields: {} };
      await revokeToken(actor, form.data.tokenId);
      return redirectWithToast("/account/tokens", { kind: "success", message: "The token was revoked. Requests using it now get 401." });
    }
    return { ok: false as const, message: "Unknown action.", fields: {} };
  } catch (error) {
    return formFailure(error);
  }
});

const SCOPE_HINTS: Record<TokenScope, string> = {
  read: "Read only: everything your role can see, nothing it can change.",
  operate: "Read, plus start, stop and restart containers.",
  admin: "Everything your role can do.",
};

type Result = { ok: boolean; message?: string; fields?: Record<string, string>; values?: Record<string, string>; created?: { name: string; scope: TokenScope; secret: string } };

export default function TokensTab() {
  const { tokens, scopes } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Result | undefined;
  const creating = useNavigation().state !== "idle";
  const failed = result && !result.ok ? result : undefined;
  return (
    <div className="flex flex-col gap-6">
      <Card title="Create a token">
        {result?.created ? (
          <div role="status" className="mb-4 flex flex-col gap-3 rounded-lg border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950">
            <p className="text-sm">
              <strong>Token “{result.created.name}” created.</strong> Copy it now: it is shown only once. Send it as{" "}
              <code className="font-mono text-xs">Authorization: Bearer …</code> to <code className="font-mono text-xs">/api/v1</code>.
            </p>
            <OneTimeValue label="Token" value={result.created.secret} testId="token-secret" />
          </div>
        ) : null}
        <Form key={result?.created?.secret ?? "form"} method="post" className="grid gap-4 md:grid-cols-3" noValidate aria-label="Create a token">
          <input type="hidden" name="intent" value="create" />
          <div className="md:col-span-3">
            <FormError message={failed?.message} />
          </div>
          <Field label="Name" name="name" autoComplete="off" defaultValue={failed?.values?.name} error={failed?.fields?.name} hint="What uses it, e.g. “backup script”." />
          <fieldset className="flex flex-col gap-1" aria-describedby={failed?.fields?.scope ? "scope-error" : undefined}>
            <legend className="mb-1 text-sm font-medium">Scope</legend>
            {scopes.map((s, i) => (
              <label key={s} className="flex items-start gap-2 text-sm">
                <input type="radio" name="scope" value={s} defaultChecked={i === 0} className="mt-1 accent-brand-600" />
                <span>
                  <span className="font-medium">{s}</span> <span className="text-slate-500 dark:text-slate-400">— {SCOPE_HINTS[s]}</span>
                </span>
              </label>
            ))}
            {failed?.fields?.scope ? (
              <p id="scope-error" className="text-sm text-red-600 dark:text-red-400">
                {failed.fields.scope}
              </p>
            ) : (
              <p className="text-xs text-slate-500 dark:text-slate-400">Never more than your role allows.</p>
            )}
          </fieldset>
          <SelectField label="Expires after" name="expiresIn" defaultValue="90" error={failed?.fields?.expiresIn ?? failed?.fields?.expiresAt} options={EXPIRY_CHOICES} />
          <div className="md:col-span-3">
            <SubmitButton pending={creating}>Create token</SubmitButton>
          </div>
        </Form>
      </Card>
      <Card title="Your tokens">
        {tokens.length === 0 ? (
          <EmptyState title="No API tokens">Tokens let scripts and tools use the REST API as you, within the scope you choose.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-200 dark:divide-slate-800" aria-label="Your tokens">
            {tokens.map((t) => (
              <li key={t.id} data-testid="token-row" className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between">
                <div className="min-w-0 text-sm">
                  <p className="flex flex-wrap items-center gap-2 font-medium">
                    <span className="wrap-anywhere">{t.name}</span>
                    <Badge tone={t.scope === "admin" ? "warn" : "muted"}>{t.scope}</Badge>
                    {t.expired ? <Badge tone="bad">expired</Badge> : null}
                  </p>
                  <p className="text-slate-500 dark:text-slate-400">
                    created <Time iso={t.createdAt} /> · expires <Time iso={t.expiresAt} fallback="never" /> · last used{" "}
                    <Time iso={t.lastUsedAt} fallback="never" />
                  </p>
                </div>
                <ConfirmDialog
                  trigger="Revoke"
                  triggerLabel={`Revoke token ${t.name}`}
                  title={`Revoke “${t.name}”?`}
                  confirm="Revoke token"
                  fields={{ intent: "revoke", tokenId: t.id }}
                >
                  <p>Anything still using this token stops working immediately. This cannot be undone.</p>
                </ConfirmDialog>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "API tokens · Account · InfraPilot" }];
