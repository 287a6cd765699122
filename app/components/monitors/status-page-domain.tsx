// The status page editor's custom domain (decision 140): the field, and where the name stands —
// its certificate being issued (step n of 5, live), issued (until when), or failed with the CA's
// own message. While a certificate is pending the page re-reads its data every two seconds.
import { useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { Badge } from "~/components/ui/badge";
import { Field } from "~/components/ui/field";

export interface DomainState {
  domain: string;
  certificate: { id: string; status: string; error: string | null; notAfter: string | null; progress: { step: string; index: number; total: number } | null } | null;
  problem: string | null;
}

const STEP: Record<string, string> = {
  preflight: "checking that the name reaches this server",
  account: "preparing the ACME account",
  order: "ordering the certificate",
  validation: "the CA is validating the name",
  install: "installing the certificate",
};

export function StatusPageDomain({ value, error, state }: { value: string; error?: string; state: DomainState | null | undefined }) {
  const revalidator = useRevalidator();
  const pending = state?.certificate?.status === "pending";
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 2000);
    return () => clearInterval(timer);
  }, [pending, revalidator]);
  const cert = state?.certificate ?? null;
  return (
    <div className="flex flex-col gap-2">
      <Field
        label="Custom domain"
        name="customDomain"
        required={false}
        defaultValue={value}
        error={error}
        hint="Optional, e.g. status.example.com: point its DNS at this server; InfraPilot's nginx serves this page there and gets a certificate. Empty removes it."
      />
      {state ? (
        <div role="status" aria-live="polite" className="flex flex-col gap-1 text-sm">
          {state.problem ? <p className="text-amber-700 dark:text-amber-300">{state.problem}</p> : null}
          {cert?.status === "issued" ? (
            <p className="flex flex-wrap items-center gap-2">
              <Badge tone="good">HTTPS</Badge>
              <span>
                Served at{" "}
                <a className="text-brand-600 hover:underline dark:text-brand-400" href={`https://${state.domain}/`} target="_blank" rel="noreferrer">
                  https://{state.domain}
                </a>
                {cert.notAfter ? `; the certificate is valid until ${cert.notAfter.slice(0, 10)} and renews by itself.` : "."}
              </span>
            </p>
          ) : null}
          {cert?.status === "pending" ? (
            <p className="flex flex-wrap items-center gap-2">
              <Badge tone="muted">HTTP only</Badge>
              <span>
                {cert.progress ? `Getting a certificate: step ${cert.progress.index} of ${cert.progress.total}, ${STEP[cert.progress.step] ?? cert.progress.step}…` : "Getting a certificate…"} http://{state.domain} already answers.
              </span>
            </p>
          ) : null}
          {cert?.status === "error" ? (
            <div className="flex flex-col gap-1">
              <p className="flex flex-wrap items-center gap-2">
                <Badge tone="bad">No certificate</Badge>
                <span>http://{state.domain} answers; the certificate failed (retried later; or renew it on the Certificates page):</span>
              </p>
              <p className="break-words rounded-md bg-red-50 p-2 text-red-800 dark:bg-red-950 dark:text-red-200">{cert.error}</p>
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
