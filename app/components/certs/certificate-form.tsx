import { Form } from "@remix-run/react";
import { useState } from "react";
import { Field, FormError, SubmitButton } from "~/components/ui/field";

export interface CertificateFormResult {
  ok: false;
  message: string;
  fields: Record<string, string>;
}

function PemArea({ name, label, error, hint }: { name: string; label: string; error?: string; hint: string }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={name} className="text-sm font-medium">
        {label}
      </label>
      <textarea id={name} name={name} rows={6} aria-invalid={error ? true : undefined} className="rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs aria-[invalid]:border-red-500 dark:border-slate-700 dark:bg-slate-900" />
      {error ? <p className="text-sm text-red-600 dark:text-red-400">{error}</p> : <p className="text-xs text-slate-500 dark:text-slate-400">{hint}</p>}
    </div>
  );
}

/** Request from Let's Encrypt (HTTP-01) or upload a chain + key; the server checks both the same way as the API. */
export function CertificateForm({ result, pending }: { result?: CertificateFormResult; pending: boolean }) {
  const [mode, setMode] = useState<"acme" | "custom">("acme");
  const f = result?.fields ?? {};
  return (
    <Form method="post" className="flex flex-col gap-4">
      <input type="hidden" name="intent" value="create" />
      <FormError message={result?.message} />
      <fieldset className="flex gap-4 text-sm">
        <legend className="sr-only">Source</legend>
        {(["acme", "custom"] as const).map((m) => (
          <label key={m} className="flex items-center gap-2">
            <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
            {m === "acme" ? "Let's Encrypt (HTTP-01)" : "Upload a certificate"}
          </label>
        ))}
      </fieldset>
      <Field label="Domains" name="domains" error={f.domains ?? f.mode} hint="Comma-separated. Each name must point at this server, and nginx must be reachable on port 80 from the CA." />
      {mode === "custom" ? (
        <>
          <PemArea name="certificatePem" label="Certificate chain (PEM)" error={f.certificatePem} hint="The server's certificate first, then the intermediates." />
          <PemArea name="keyPem" label="Private key (PEM)" error={f.keyPem} hint="Unencrypted. It is stored encrypted and never shown again." />
        </>
      ) : null}
      <div>
        <SubmitButton pending={pending}>{mode === "acme" ? "Request certificate" : "Upload certificate"}</SubmitButton>
      </div>
    </Form>
  );
}
