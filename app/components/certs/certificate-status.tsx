import { Badge } from "~/components/ui/badge";
import { formatUtc } from "~/components/ui/time";

export interface CertificateStatusProps {
  status: "pending" | "issued" | "error";
  error: string | null;
  notAfter: string | null;
  renewing: boolean;
  /** Computed by the server (rendering must not read the clock). */
  expired: boolean;
}

/** pending → "Issuing…", issued → "valid until …" (with a failed renewal's message), error → the CA's words. */
export function CertificateStatus({ status, error, notAfter, renewing, expired }: CertificateStatusProps) {
  if (status === "pending" || (renewing && status !== "issued")) return <Badge tone="warn">Issuing…</Badge>;
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
      {error ? <pre className="max-w-md whitespace-pre-wrap break-words text-xs text-amber-700 dark:text-amber-300">Last renewal failed: {error}</pre> : null}
    </div>
  );
}
