import { Form } from "@remix-run/react";
import { useId, useRef, useState } from "react";
import { DomainsInput } from "~/components/ui/domains-input";
import { FormError, SubmitButton } from "~/components/ui/field";

export interface CertificateFormResult {
  ok: false;
  message: string;
  fields: Record<string, string>;
}

/** PEM text pasted, or loaded from a file (read in the browser into the same field, so both post alike). */
function PemArea({ name, label, error, hint, fileLabel }: { name: string; label: string; error?: string; hint: string; fileLabel: string }) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const [loaded, setLoaded] = useState<string | null>(null);
  return (
    <div className="flex flex-col gap-1">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        <label className="cursor-pointer text-sm text-brand-600 hover:underline focus-within:underline dark:text-brand-300">
          {fileLabel}
          <input
            type="file"
            accept=".pem,.crt,.cer,.key,.txt,application/x-pem-file,application/x-x509-ca-cert"
            className="sr-only"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (!file || !area.current) return;
              area.current.value = (await file.text()).slice(0, 100_000);
              setLoaded(file.name);
              e.target.value = "";
            }}
          />
        </label>
      </div>
      <textarea
        ref={area}
        id={id}
        name={name}
        rows={6}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        className="rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs aria-[invalid]:border-red-500 dark:border-slate-700 dark:bg-slate-900"
      />
      {error ? (
        <p className="text-sm text-red-600 dark:text-red-400">{error}</p>
      ) : (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          {loaded ? `Loaded from ${loaded}. ` : ""}
          {hint}
        </p>
      )}
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
      <DomainsInput
        error={f.domains ?? f.mode}
        hint={mode === "acme" ? "Press Enter or type a comma after each name. Each name must point at this server, and nginx must be reachable on port 80 from the CA." : "Press Enter or type a comma after each name. The certificate must cover each of them."}
      />
      {mode === "custom" ? (
        <>
          <PemArea
            name="certificatePem"
            label="Certificate chain (PEM)"
            fileLabel="Load certificate file"
            error={f.certificatePem}
            hint="The server's certificate first, then the intermediates. A self-signed certificate is accepted, with a warning that browsers will not trust it."
          />
          <PemArea name="keyPem" label="Private key (PEM)" fileLabel="Load key file" error={f.keyPem} hint="Unencrypted. It is stored encrypted and never shown again." />
        </>
      ) : null}
      <div>
        <SubmitButton pending={pending}>{mode === "acme" ? "Request certificate" : "Upload certificate"}</SubmitButton>
      </div>
    </Form>
  );
}
