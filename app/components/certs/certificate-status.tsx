import { Badge } from "~/components/ui/badge";
import { formatUtc } from "~/components/ui/time";

export interface CertificateStatusProps {
  status: "pending" | "issued" | "error";
  error: string | null;
  notAfter: string | null;
  renewing: boolean;
  /** Computed by the server (rendering must not read the clock). */
  expired: boolean;
  /** The running issuance's step (process memory on the server); absent or null when none runs. */
  progress?: { step: string; index: number; total: number } | null;
}

const STEP_LABELS: Record<string, string> = {
  preflight: "Checking that nginx answers for the domains",
  account: "Opening the ACME account",
  order: "Ordering the certificate",
  validation: "The CA is fetching the HTTP-01 challenge",
  install: "Installing the certificate in nginx",
};

function Progress({ progress }: { progress: NonNullable<CertificateStatusProps["progress"]> }) {
  const label = STEP_LABELS[progress.step] ?? progress.step;
  return (
    <div className="flex flex-col gap-1" data-testid="issuance-progress" data-step={progress.step}>
      <progress max={progress.total} value={progress.index} aria-label={`Issuance step ${progress.index} of ${progress.total}`} className="h-1.5 w-40 accent-brand-600" />
      <span className="text-xs text-slate-600 dark:text-slate-400">
        Step {progress.index} of {progress.total}: {label}…
      </span>
    </div>
  );
}

/** pending → "Issuing…", issued → "valid until …" (with a failed renewal's message), error → the CA's words. */
export function CertificateStatus({ status, error, notAfter, renewing, expired, progress }: CertificateStatusProps) {
  if (status === "pending" || (renewing && status !== "issued")) {
    return (
      <div className="flex flex-col gap-1">
        <Badge tone="warn">Issuing…</Badge>
        {progress ? <Progress progress={progress} /> : null}
      </div>
    );
  }
  if (status === "error") {
    return (
      <div className="flex flex-col gap-1" data-testid="certificate-error">
        <Badge tone="bad">Error</Badge>
        {error ? <pre className="max-w-md whitespace-pre-wrap break-words text-xs text-red-700 dark:text-red-300">{error}</pre> : null}
      </div>
    );
  }
  return (
    <div className="flex flex-col gap-1">
      <Badge tone={expired ? "bad" : "good"}>{expired ? "Expired" : "Valid"}{notAfter ? ` until ${formatUtc(notAfter)}` : ""}</Badge>
      {renewing ? <span className="text-xs text-amber-700 dark:text-amber-300">Renewing…</span> : null}
      {renewing && progress ? <Progress progress={progress} /> : null}
      {error ? <pre className="max-w-md whitespace-pre-wrap break-words text-xs text-amber-700 dark:text-amber-300">Last renewal failed: {error}</pre> : null}
    </div>
  );
}
