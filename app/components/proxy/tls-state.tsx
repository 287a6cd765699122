import { Link } from "@remix-run/react";
import { CertificateStatus, type CertificateStatusProps } from "~/components/certs/certificate-status";

/** The TLS column of the Proxies list: none / valid until … / issuing / the CA's error. */
export function TlsState({ mode, certificate }: { mode: "none" | "acme" | "custom"; certificate: CertificateStatusProps | null }) {
  if (mode === "none") return <span className="text-slate-500 dark:text-slate-400">none</span>;
  if (!certificate) return <span className="text-amber-700 dark:text-amber-300">{mode === "acme" ? "waiting for a certificate" : "no certificate"}</span>;
  return (
    <Link to="/certificates" className="block hover:opacity-80">
      <CertificateStatus {...certificate} />
    </Link>
  );
}
