import { Form, Link } from "@remix-run/react";
import { useState } from "react";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { DomainsInput } from "~/components/ui/domains-input";
import { SelectField } from "~/components/ui/select-field";
import type { ProxyHostDto } from "~/server/proxy/dto.server";
import { UpstreamFields, type ContainerOption } from "./upstream-fields";

export interface HostFormResult {
  ok: false;
  message: string;
  fields: Record<string, string>;
}

function Check({ name, label, defaultChecked }: { name: string; label: string; defaultChecked?: boolean }) {
  return (
    <label className="flex items-center gap-2 text-sm">
      <input type="checkbox" name={name} defaultChecked={defaultChecked} className="h-4 w-4 rounded border-slate-300" />
      {label}
    </label>
  );
}

/** Create or edit one host. Every value is validated again on the server against the same schema as the API. */
export function ProxyHostForm({
  host,
  accessLists,
  certificates,
  canAdvanced,
  containers,
  nginxMode,
  result,
  pending,
}: {
  host: ProxyHostDto | null;
  accessLists: { id: string; name: string }[];
  certificates: { id: string; label: string; mode: "acme" | "custom" }[];
  canAdvanced: boolean;
  /** Running containers with TCP ports (null: the user may not list containers). */
  containers: ContainerOption[] | null;
  nginxMode: "local" | "container" | "off";
  result?: HostFormResult;
  pending: boolean;
}) {
  const [kind, setKind] = useState<"proxy" | "redirect">(host?.kind ?? "proxy");
  const f = result?.fields ?? {};
  return (
    <Form method="post" className="flex flex-col gap-4" key={host?.id ?? "new"}>
      <input type="hidden" name="intent" value={host ? "update" : "create"} />
      {host ? <input type="hidden" name="id" value={host.id} /> : null}
      <input type="hidden" name="enabledPresent" value="1" />
      <FormError message={result?.message} />
      <fieldset className="flex gap-4 text-sm">
        <legend className="sr-only">Kind</legend>
        {(["proxy", "redirect"] as const).map((k) => (
          <label key={k} className="flex items-center gap-2">
            <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
            {k === "proxy" ? "Proxy host" : "Redirection host"}
          </label>
        ))}
      </fieldset>
      <DomainsInput
        defaultValue={host?.domains}
        defaultAllowSingleLabel={host?.allowSingleLabel}
        error={f.domains}
        hint="Press Enter or type a comma after each name. International names are converted to punycode; *.example.com covers subdomains."
      />
      {kind === "proxy" ? (
        <UpstreamFields upstream={host?.upstream ?? null} nginxMode={nginxMode} containers={containers} errors={f} />
      ) : (
        <div className="grid gap-4 sm:grid-cols-[1fr_8rem]">
          <Field label="Redirect to" name="redirectTo" defaultValue={host?.redirect?.to} error={f.redirectTo} hint="https://example.com" />
          <SelectField
            label="Status"
            name="redirectCode"
            defaultValue={String(host?.redirect?.code ?? 301)}
            options={[301, 302, 307, 308].map((c) => ({
              value: String(c),
              label: String(c),
            }))}
            error={f.redirectCode}
          />
          <Check name="keepPath" label="Keep path and query" defaultChecked={host?.redirect?.keepPath ?? true} />
        </div>
      )}
      <div className="flex flex-wrap gap-x-6 gap-y-2">
        <Check name="enabled" label="Enabled" defaultChecked={host?.enabled ?? true} />
        {kind === "proxy" ? (
          <>
            <Check name="websockets" label="WebSockets" defaultChecked={host?.websockets} />
            <Check name="blockExploits" label="Block common exploits" defaultChecked={host?.blockExploits ?? true} />
            <Check name="gzip" label="Gzip" defaultChecked={host?.gzip} />
          </>
        ) : null}
        <Check name="http2" label="HTTP/2 (with TLS)" defaultChecked={host?.http2} />
      </div>
      {kind === "proxy" ? (
        <div className="grid gap-4 sm:grid-cols-3">
          <Field label="Max body size (MB)" name="clientMaxBodySizeMb" type="number" required={false} defaultValue={String(host?.clientMaxBodySizeMb ?? 1)} error={f.clientMaxBodySizeMb} />
          <Field
            label="Rate limit (requests/s)"
            name="rateLimitRps"
            type="number"
            required={false}
            defaultValue={host?.rateLimit ? String(host.rateLimit.requestsPerSecond) : ""}
            error={f.rateLimitRps}
            hint="Empty: no limit. Over the limit: 429."
          />
          <Field label="Burst" name="rateLimitBurst" type="number" required={false} defaultValue={host?.rateLimit ? String(host.rateLimit.burst) : ""} error={f.rateLimitBurst} />
          <div className="flex flex-col gap-1">
            <SelectField
              label="Access list"
              name="accessListId"
              defaultValue={host?.accessListId ?? ""}
              options={[{ value: "", label: "Public" }, ...accessLists.map((l) => ({ value: l.id, label: l.name }))]}
              error={f.accessListId}
            />
            <Link to="/access-lists" className="text-xs text-brand-600 hover:underline dark:text-brand-300">
              {accessLists.length ? "Manage access lists" : "Create an access list (basic auth, IP rules)"}
            </Link>
          </div>
        </div>
      ) : null}
      <TlsFields host={host} certificates={certificates} errors={f} />
      <details
        className="rounded-md border border-slate-200 p-3 dark:border-slate-800"
        open={Boolean(host && (host.headers.csp || host.headers.frameOptions || host.headers.referrerPolicy || host.headers.permissionsPolicy || host.headers.contentTypeOptions))}
      >
        <summary className="cursor-pointer text-sm font-medium">Security headers</summary>
        <div className="mt-3 grid gap-4 sm:grid-cols-2">
          <SelectField
            label="X-Frame-Options"
            name="frameOptions"
            defaultValue={host?.headers.frameOptions ?? ""}
            options={[
              { value: "", label: "Not set" },
              { value: "DENY", label: "DENY" },
              { value: "SAMEORIGIN", label: "SAMEORIGIN" },
            ]}
          />
          <SelectField
            label="Referrer-Policy"
            name="referrerPolicy"
            defaultValue={host?.headers.referrerPolicy ?? ""}
            options={[{ value: "", label: "Not set" }, ...["no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "same-origin", "strict-origin", "strict-origin-when-cross-origin", "unsafe-url"].map((v) => ({ value: v, label: v }))]}
          />
          <Field label="Content-Security-Policy" name="csp" required={false} defaultValue={host?.headers.csp ?? ""} error={f.csp} hint="e.g. default-src 'self'" />
          <Field
            label="Permissions-Policy"
            name="permissionsPolicy"
            required={false}
            defaultValue={host?.headers.permissionsPolicy ?? ""}
            error={f.permissionsPolicy}
            hint="e.g. camera=(), geolocation=()"
          />
          <Check name="contentTypeOptions" label="X-Content-Type-Options: nosniff" defaultChecked={host?.headers.contentTypeOptions} />
        </div>
      </details>
      {canAdvanced ? (
        <div className="flex flex-col gap-1">
          <label htmlFor="advanced" className="text-sm font-medium">
            Advanced directives (super admin)
          </label>
          <textarea
            id="advanced"
            name="advanced"
            rows={4}
            defaultValue={host?.advanced}
            className="rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-900"
          />
          {f.advanced ? (
            <p className="text-sm text-red-600">{f.advanced}</p>
          ) : (
            <p className="text-xs text-slate-500 dark:text-slate-400">Checked by nginx -t before going live; a refused host keeps its previous configuration.</p>
          )}
        </div>
      ) : host?.hasAdvanced ? (
        <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="advanced-hidden">
          This host has advanced directives (visible to super admins). Saving this form keeps them.
        </p>
      ) : null}
      <div>
        <SubmitButton pending={pending}>{host ? "Save and apply" : "Create and apply"}</SubmitButton>
      </div>
    </Form>
  );
}

/** TLS: none, Let's Encrypt (a certificate is requested for the domains when none is picked) or an uploaded one. */
function TlsFields({ host, certificates, errors }: { host: ProxyHostDto | null; certificates: { id: string; label: string; mode: "acme" | "custom" }[]; errors: Record<string, string> }) {
  const [mode, setMode] = useState<"none" | "acme" | "custom">(host?.tls.mode ?? "none");
  const options = certificates.filter((c) => c.mode === mode);
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <div className="flex flex-col gap-1">
        <label htmlFor="tlsMode" className="text-sm font-medium">
          TLS
        </label>
        <select
          id="tlsMode"
          name="tlsMode"
          value={mode}
          onChange={(e) => setMode(e.target.value as typeof mode)}
          className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900"
        >
          <option value="none">None (HTTP only)</option>
          <option value="acme">Let&apos;s Encrypt (HTTP-01)</option>
          <option value="custom">Uploaded certificate</option>
        </select>
      </div>
      {mode !== "none" ? (
        <SelectField
          label="Certificate"
          name="certificateId"
          defaultValue={host?.tls.certificateId ?? ""}
          options={[
            ...(mode === "acme" ? [{ value: "", label: "Request a new one for these domains" }] : [{ value: "", label: "Pick an uploaded certificate" }]),
            ...options.map((c) => ({ value: c.id, label: c.label })),
          ]}
          error={errors.certificateId}
          hint={
            mode === "custom"
              ? options.length
                ? "Certificates are uploaded on the Certificates page."
                : "No uploaded certificate yet: add the chain and key on the Certificates page first."
              : "Issued through HTTP-01 by nginx on port 80; progress shows on the Certificates page."
          }
        />
      ) : null}
      {mode !== "none" ? (
        <div className="flex flex-wrap gap-x-6 gap-y-2 sm:col-span-2">
          <Check name="forceHttps" label="Force HTTPS" defaultChecked={host?.tls.forceHttps} />
          <Check name="hsts" label="HSTS" defaultChecked={host?.tls.hsts.enabled} />
          <Check name="hstsIncludeSubdomains" label="HSTS includeSubDomains" defaultChecked={host?.tls.hsts.includeSubdomains} />
          <Check name="hstsPreload" label="HSTS preload" defaultChecked={host?.tls.hsts.preload} />
        </div>
      ) : null}
      {mode !== "none" ? (
        <Field
          label="HSTS max-age (seconds)"
          name="hstsMaxAge"
          type="number"
          required={false}
          defaultValue={String(host?.tls.hsts.maxAge ?? 31536000)}
          error={errors.hstsMaxAge}
          hint="31536000 = one year; at most two years."
        />
      ) : null}
    </div>
  );
}
