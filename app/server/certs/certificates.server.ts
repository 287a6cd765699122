// Certificates of an organization: list, get, upload (validated with node:crypto), request from
// the ACME CA (issued in the background; `status` goes pending → issued | error), renew, delete.
// Private keys are sealed at rest and never leave the server except to the agent's nginx tree.
import { auditInTx } from "../audit/audit.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.server";
import { parseWith } from "../http/api.server";
import { seal } from "../crypto.server";
import { evaluateProxyPolicy } from "../proxy/policy.server";
import { CertificateRequestSchema } from "~/validation/certificates";
import { certificateInfo, checkUpload, SELF_SIGNED_WARNING } from "./pem";
import { isIssuing, issuanceProgress, startIssuance } from "./issuance.server";

const SELECT = {
  id: true,
  domains: true,
  mode: true,
  status: true,
  error: true,
  issuer: true,
  notBefore: true,
  notAfter: true,
  autoRenew: true,
  certificatePem: true,
  renewAttempts: true,
  nextAttemptAt: true,
  createdAt: true,
  updatedAt: true,
  proxyHosts: { select: { id: true }, orderBy: { createdAt: "asc" } },
} as const;

type Row = {
  id: string;
  domains: string[];
  mode: string;
  status: string;
  error: string | null;
  issuer: string | null;
  notBefore: Date | null;
  notAfter: Date | null;
  autoRenew: boolean;
  certificatePem: string | null;
  renewAttempts: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  proxyHosts: { id: string }[];
};

function toDto(row: Row) {
  const info = row.certificatePem ? safeInfo(row.certificatePem) : null;
  return {
    id: row.id,
    domains: row.domains,
    mode: row.mode as "acme" | "custom",
    status: row.status as "pending" | "issued" | "error",
    /** The CA's (or the validator's) last message; set with status "issued" when a renewal failed. */
    error: row.error,
    issuer: row.issuer,
    notBefore: row.notBefore?.toISOString() ?? null,
    notAfter: row.notAfter?.toISOString() ?? null,
    expired: row.notAfter !== null && row.notAfter.getTime() < Date.now(),
    autoRenew: row.autoRenew,
    proxyHostIds: row.proxyHosts.map((h) => h.id),
    serialNumber: info?.serialNumber ?? null,
    selfSigned: info?.selfSigned ?? false,
    /** What a user should know before relying on it (a self-signed certificate is not trusted by browsers). */
    warnings: info?.selfSigned ? [SELF_SIGNED_WARNING] : [],
    fingerprint256: info?.fingerprint256 ?? null,
    /** An issuance or renewal is running right now. */
    renewing: isIssuing(row.id),
    /** The step of the running issuance (pre-flight, account, order, validation, install), null when none runs. */
    progress: issuanceProgress(row.id),
    renewAttempts: row.renewAttempts,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type CertificateDto = ReturnType<typeof toDto>;

function safeInfo(pem: string) {
  try {
    return certificateInfo(pem);
  } catch {
    return null;
  }
}

function assertId(id: string): void {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError("No such certificate.");
}

async function checkPolicy(actor: Actor, input: unknown): Promise<void> {
  const verdict = await evaluateProxyPolicy(actor, "certificate.write", input);
  if (verdict.effect === "block") throw new ForbiddenError(`Blocked by policy: ${verdict.reasons.join("; ")}`);
}

function auditEntry(actor: Actor, action: string, targetId: string, details: Record<string, unknown>) {
  return { orgId: actor.orgId, action, outcome: "success" as const, actorId: actor.userId, actorEmail: actor.email, targetType: "certificate", targetId, ip: actor.ip, details };
}

export async function listCertificates(actor: Actor): Promise<{ items: CertificateDto[]; nextCursor: null }> {
  assertPermission(actor, "read:certificate");
  const rows = await withOrg(actor.orgId, (tx) => tx.certificate.findMany({ select: SELECT, orderBy: { createdAt: "asc" } }));
  return { items: rows.map(toDto), nextCursor: null };
}

export async function getCertificate(actor: Actor, id: string): Promise<CertificateDto> {
  assertPermission(actor, "read:certificate");
  assertId(id);
  const row = await withOrg(actor.orgId, (tx) => tx.certificate.findFirst({ where: { id }, select: SELECT }));
  if (!row) throw new NotFoundError("No such certificate.");
  return toDto(row);
}

/** Upload (validated, stored issued) or ACME request (stored pending, issued in the background). */
export async function createCertificate(actor: Actor, raw: unknown): Promise<CertificateDto> {
  assertPermission(actor, "manage:certificate");
  const input = parseWith(CertificateRequestSchema, raw);
  await checkPolicy(actor, { mode: input.mode, domains: input.domains });
  if (input.mode === "custom") {
    const check = checkUpload({ certificatePem: input.certificatePem!, keyPem: input.keyPem!, domains: input.domains, now: new Date() });
    if (!check.ok) throw new ValidationError("The certificate was not accepted.", check.fields);
    const row = await withOrg(actor.orgId, async (tx) => {
      const created = await tx.certificate.create({
        data: {
          orgId: actor.orgId,
          domains: input.domains,
          mode: "custom",
          status: "issued",
          issuer: check.info.issuer,
          notBefore: check.info.notBefore,
          notAfter: check.info.notAfter,
          autoRenew: false,
          certificatePem: check.certificatePem,
          keySealed: seal(check.keyPem),
        },
        select: SELECT,
      });
      await auditInTx(tx, auditEntry(actor, "certificate.upload", created.id, { domains: input.domains, serialNumber: check.info.serialNumber, notAfter: check.info.notAfter.toISOString() }));
      return created;
    });
    return toDto(row);
  }
  const row = await withOrg(actor.orgId, async (tx) => {
    const created = await tx.certificate.create({ data: { orgId: actor.orgId, domains: input.domains, mode: "acme", status: "pending", autoRenew: input.autoRenew }, select: SELECT });
    await auditInTx(tx, auditEntry(actor, "certificate.request", created.id, { domains: input.domains }));
    return created;
  });
  void startIssuance(actor.orgId, row.id, { reason: "request", actorId: actor.userId, actorEmail: actor.email, ip: actor.ip });
  return toDto(row);
}

/** Starts a renewal (ACME) now; answers at once with `renewing: true`. The old certificate keeps serving. */
export async function renewCertificate(actor: Actor, id: string): Promise<CertificateDto> {
  assertPermission(actor, "manage:certificate");
  assertId(id);
  await checkPolicy(actor, { id, action: "renew" });
  const row = await withOrg(actor.orgId, (tx) => tx.certificate.findFirst({ where: { id }, select: { mode: true } }));
  if (!row) throw new NotFoundError("No such certificate.");
  if (row.mode !== "acme") throw new ConflictError("An uploaded certificate is renewed by uploading its successor.");
  // A manual renewal skips the backoff of failed automatic attempts.
  await withOrg(actor.orgId, (tx) => tx.certificate.update({ where: { id }, data: { nextAttemptAt: null } }));
  void startIssuance(actor.orgId, id, { reason: "renew", actorId: actor.userId, actorEmail: actor.email, ip: actor.ip });
  return getCertificate(actor, id);
}

export async function deleteCertificate(actor: Actor, id: string): Promise<void> {
  assertPermission(actor, "manage:certificate");
  assertId(id);
  await checkPolicy(actor, { id, action: "delete" });
  await withOrg(actor.orgId, async (tx) => {
    const row = await tx.certificate.findFirst({ where: { id }, select: { domains: true, proxyHosts: { select: { id: true } } } });
    if (!row) throw new NotFoundError("No such certificate.");
    if (row.proxyHosts.length) throw new ConflictError(`${row.proxyHosts.length} proxy host(s) use this certificate; change them first.`);
    await tx.certificate.delete({ where: { id } });
    await auditInTx(tx, auditEntry(actor, "certificate.delete", id, { domains: row.domains }));
  });
}

/**
 * A host asked for Let's Encrypt without picking a certificate: reuse the organization's ACME
 * certificate for exactly these domains, or request one; link it to the host.
 */
export async function requestCertificateForHost(actor: Actor, hostId: string, domains: string[]): Promise<string> {
  assertPermission(actor, "manage:certificate");
  const sorted = [...domains].sort();
  const { id, fresh } = await withOrg(actor.orgId, async (tx) => {
    const candidates = await tx.certificate.findMany({ where: { mode: "acme", domains: { hasEvery: sorted } }, select: { id: true, domains: true } });
    const same = candidates.find((c) => c.domains.length === sorted.length);
    const cert = same ?? (await tx.certificate.create({ data: { orgId: actor.orgId, domains: sorted, mode: "acme", status: "pending" }, select: { id: true } }));
    await tx.proxyHost.update({ where: { id: hostId }, data: { certificateId: cert.id } });
    if (!same) await auditInTx(tx, auditEntry(actor, "certificate.request", cert.id, { domains: sorted, proxyHostId: hostId }));
    return { id: cert.id, fresh: !same };
  });
  // The caller applies the host (HTTP only until the certificate is issued, which applies again).
  if (fresh) void startIssuance(actor.orgId, id, { reason: "request", actorId: actor.userId, actorEmail: actor.email, ip: actor.ip });
  return id;
}
