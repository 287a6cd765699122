// Parsing and checking certificates with node:crypto only: an uploaded chain + key is refused with
// plain-language field errors unless the key belongs to the leaf, the chain runs leaf →
// intermediates, the leaf is valid now and it covers every requested domain. Pure (the clock is a
// parameter), so it is unit tested without I/O; ACME results go through `certificateInfo` too.
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";

export interface CertificateInfo {
  issuer: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  serialNumber: string;
  fingerprint256: string;
  /** DNS names of the subjectAltName extension (lower case, wildcards kept). */
  names: string[];
  /** Signed by its own key (`openssl req -x509`): no browser trusts it unless told to. */
  selfSigned: boolean;
}

export const SELF_SIGNED_WARNING = "This certificate is self-signed: browsers will show a warning for it unless its clients are told to trust it. Use it for testing or internal clients.";

export type UploadCheck =
  | { ok: true; info: CertificateInfo; certificatePem: string; keyPem: string; warnings: string[] }
  | { ok: false; fields: Record<string, string> };

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle, in order. */
export function splitCertificates(pem: string): string[] {
  return pem.match(PEM_CERT) ?? [];
}

function commonName(dn: string): string {
  return dn.split("\n").find((l) => l.startsWith("CN="))?.slice(3) ?? dn.split("\n").join(", ");
}

export function certificateInfo(pemOrCert: string | X509Certificate): CertificateInfo {
  const cert = typeof pemOrCert === "string" ? new X509Certificate(splitCertificates(pemOrCert)[0] ?? pemOrCert) : pemOrCert;
  return {
    issuer: commonName(cert.issuer),
    subject: commonName(cert.subject),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    serialNumber: cert.serialNumber.toUpperCase(),
    fingerprint256: cert.fingerprint256,
    names: dnsNames(cert),
    selfSigned: isSelfSigned(cert),
  };
}

function isSelfSigned(cert: X509Certificate): boolean {
  return cert.issuer === cert.subject && safeVerify(cert, cert);
}

function dnsNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? "")
    .split(/,\s*/)
    .filter((e) => e.startsWith("DNS:"))
    .map((e) => e.slice(4).toLowerCase());
}

/** Whether the certificate is valid for `domain` (a wildcard request needs the same wildcard name). */
export function covers(cert: X509Certificate, domain: string): boolean {
  const d = domain.toLowerCase();
  const names = dnsNames(cert);
  if (d.startsWith("*.")) return names.includes(d);
  if (names.includes(d)) return true;
  // Exactly one label under a wildcard name (RFC 6125).
  return names.some((n) => n.startsWith("*.") && d.endsWith(n.slice(1)) && !d.slice(0, d.length - n.length + 1).includes("."));
}

function fmt(d: Date): string {
  return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

export function checkUpload(input: { certificatePem: string; keyPem: string; domains: string[]; now: Date }): UploadCheck {
  const blocks = splitCertificates(input.certificatePem);
  if (!blocks.length) return { ok: false, fields: { certificatePem: "This is not a PEM certificate: paste the text that starts with -----BEGIN CERTIFICATE-----." } };
  const chain: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      chain.push(new X509Certificate(block));
    } catch {
      return { ok: false, fields: { certificatePem: `Certificate ${i + 1} in the chain cannot be read; it may be truncated or not PEM.` } };
    }
  }
  let key: KeyObject;
  try {
    if (/ENCRYPTED/.test(input.keyPem)) return { ok: false, fields: { keyPem: "The private key is protected by a passphrase; nginx needs it without one (openssl pkey -in key.pem -out plain.pem)." } };
    if (/-----BEGIN CERTIFICATE-----/.test(input.keyPem) && !/PRIVATE KEY-----/.test(input.keyPem)) return { ok: false, fields: { keyPem: "This is a certificate, not a private key." } };
    key = createPrivateKey(input.keyPem);
  } catch {
    return { ok: false, fields: { keyPem: "This is not a private key in PEM format: paste the text that starts with -----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE KEY)." } };
  }
  const leaf = chain[0]!;
  if (!safeCheckKey(leaf, key)) {
    const owner = chain.findIndex((c) => safeCheckKey(c, key));
    if (owner > 0) return { ok: false, fields: { certificatePem: `The chain is out of order: the certificate matching this key is number ${owner + 1}; put the server's own certificate first, then the intermediates.` } };
    return { ok: false, fields: { keyPem: "This private key does not belong to the certificate (the first one in the chain)." } };
  }
  // `openssl req -x509` marks its certificate CA:TRUE; alone and signed by itself, it is a leaf.
  const selfSignedLeaf = chain.length === 1 && isSelfSigned(leaf);
  if (leaf.ca && !selfSignedLeaf) return { ok: false, fields: { certificatePem: "The first certificate is a CA certificate; put the server's own certificate first." } };
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i]!.checkIssued(chain[i + 1]!) || !safeVerify(chain[i]!, chain[i + 1]!)) {
      const issuerElsewhere = chain.some((c, j) => j !== i && j !== i + 1 && chain[i]!.checkIssued(c) && safeVerify(chain[i]!, c));
      return {
        ok: false,
        fields: {
          certificatePem: issuerElsewhere
            ? `The chain is out of order: certificate ${i + 2} did not issue certificate ${i + 1}. Order it server certificate first, then each intermediate after the one it issued.`
            : `Certificate ${i + 2} in the chain did not issue certificate ${i + 1} ("${commonName(chain[i]!.subject)}"); remove it or add the right intermediate.`,
        },
      };
    }
  }
  const info = certificateInfo(leaf);
  if (info.notAfter.getTime() <= input.now.getTime()) return { ok: false, fields: { certificatePem: `This certificate expired on ${fmt(info.notAfter)}.` } };
  if (info.notBefore.getTime() > input.now.getTime()) return { ok: false, fields: { certificatePem: `This certificate is not valid before ${fmt(info.notBefore)}.` } };
  // Without any DNS subjectAltName (a bare `-subj /CN=name`), a self-signed certificate is read by its CN.
  const cn = commonName(leaf.subject).toLowerCase();
  const byCn = selfSignedLeaf && info.names.length === 0 && cn && !cn.includes(" ");
  const missing = input.domains.filter((d) => !(covers(leaf, d) || (byCn && d.toLowerCase() === cn)));
  if (missing.length) {
    const has = info.names.length ? info.names.join(", ") : byCn ? cn : "no DNS names";
    return { ok: false, fields: { domains: `The certificate does not cover ${missing.join(", ")} (it is for ${has}).` } };
  }
  const certificatePem = chain.map((c) => c.toString().trim()).join("\n") + "\n";
  const keyPem = key.export({ type: "pkcs8", format: "pem" }).toString();
  const warnings = selfSignedLeaf ? [SELF_SIGNED_WARNING] : [];
  return { ok: true, info, certificatePem, keyPem, warnings };
}

function safeCheckKey(cert: X509Certificate, key: KeyObject): boolean {
  try {
    return cert.checkPrivateKey(key);
  } catch {
    return false;
  }
}

function safeVerify(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
