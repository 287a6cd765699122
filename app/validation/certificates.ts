// Certificate requests (API body and the Certificates page's form share this schema). Domains go
// through the same allowlist as proxy hosts; PEM text is only size-checked here and parsed with
// node:crypto on the server (app/server/certs/pem.ts), which gives the plain-language errors.
import { z } from "zod";
import { domainsField, refineSingleLabel } from "./proxy";

const pemText = z.string().max(100_000, "At most 100 kB of PEM text.");

export const CertificateRequestSchema = z
  .object({
    domains: domainsField,
    mode: z.enum(["acme", "custom"], { message: "Pick Let's Encrypt (acme) or an uploaded certificate (custom)." }),
    certificatePem: pemText.optional(),
    keyPem: pemText.optional(),
    autoRenew: z.boolean().default(true),
    allowSingleLabel: z.boolean().default(false),
  })
  .strict()
  .superRefine(refineSingleLabel)
  .superRefine((v, ctx) => {
    if (v.mode === "custom" && !v.certificatePem?.trim()) ctx.addIssue({ code: "custom", path: ["certificatePem"], message: "Paste the certificate chain (PEM)." });
    if (v.mode === "custom" && !v.keyPem?.trim()) ctx.addIssue({ code: "custom", path: ["keyPem"], message: "Paste the private key (PEM)." });
    if (v.mode === "acme" && (v.certificatePem || v.keyPem)) ctx.addIssue({ code: "custom", path: ["mode"], message: "A Let's Encrypt certificate is issued by the CA; choose custom to upload one." });
    if (v.mode === "acme") {
      const wildcard = v.domains.findIndex((d) => d.startsWith("*."));
      if (wildcard >= 0) ctx.addIssue({ code: "custom", path: ["domains", wildcard], message: "Wildcard names need DNS-01 validation, which is not supported yet; list the names or upload a certificate." });
    }
  });
export type CertificateRequest = z.infer<typeof CertificateRequestSchema>;
