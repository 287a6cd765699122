// Status pages on a custom domain (decision 140): the name is unique across the service (a
// unique index, and no other organization's proxy host or status page may serve it — asked
// through the `domain_taken_by_other_org` definer function, which answers only yes or no); the
// page is served by the built-in agent's nginx, beside the control plane, through a server block
// rendered with the agent's tree (proxy/render-status-sites.ts), and an ACME certificate for the
// name is requested through the existing pipeline (certs/issuance.server.ts, with its progress).
// Removing the name removes the block and the certificate made for it.
import { hasBuiltInAgent, localAgentId } from "../agents/registry.server";
import type { Actor } from "../auth/require.server";
import { auditInTx } from "../audit/audit.server";
import { isIssuing, issuanceProgress, startIssuance } from "../certs/issuance.server";
import { withOrg, type Tx } from "../db/client.server";
import { ConflictError } from "../errors.server";
import { logger } from "../logger.server";
import { requestApply } from "../proxy/apply.server";
export { statusPagesUpstream } from "./status-upstream.server";

export interface CustomDomainState {
  domain: string;
  /** serving: nginx has the block; pending: being applied; unavailable: no nginx of InfraPilot's own here. */
  certificate: { id: string; status: string; error: string | null; notAfter: string | null; progress: { step: string; index: number; total: number } | null } | null;
  /** Why the domain is not served, when it is not (no built-in agent in this edition). */
  problem: string | null;
}

/** 409 when the name is served by something else: this organization's proxy host, or anything of another's. */
export async function assertDomainFree(tx: Tx, orgId: string, domain: string, exceptPageId?: string): Promise<void> {
  const page = await tx.statusPage.findFirst({ where: { orgId, customDomain: domain, ...(exceptPageId ? { NOT: { id: exceptPageId } } : {}) }, select: { slug: true } });
  if (page) throw new ConflictError(`${domain} is the domain of your status page ${page.slug}.`, "domain_taken", { customDomain: "Another of your status pages has this name." });
  const own = await tx.proxyHost.findFirst({ where: { orgId, domains: { has: domain } }, select: { id: true } });
  if (own) throw new ConflictError(`${domain} is a domain of one of your proxy hosts: a name is served by one site only.`, "domain_taken", { customDomain: "One of your proxy hosts serves this name." });
  const [row] = await tx.$queryRaw<{ taken: boolean }[]>`SELECT domain_taken_by_other_org(${domain}) AS taken`;
  if (row?.taken) throw new ConflictError(`${domain} is already used on this service. Choose another name.`, "domain_taken", { customDomain: "This name is already used on this service." });
}

/** The unique index caught a race between two organizations (or two pages). */
export function isCustomDomainConflict(error: unknown): boolean {
  const e = error as { code?: string; meta?: { target?: unknown } };
  return e?.code === "P2002" && JSON.stringify(e.meta ?? {}).includes("customDomain");
}

/**
 * Inside the page's transaction, after its `customDomain` changed: the certificate for the new
 * name (a pending ACME certificate, issued after the commit), and the old one removed when it was
 * made for this page and nothing else uses it. Returns the certificate to issue, if any.
 */
export async function switchDomainInTx(tx: Tx, actor: Actor, page: { id: string; certificateId: string | null }, domain: string | null): Promise<string | null> {
  const old = page.certificateId;
  let certificateId: string | null = null;
  if (domain) {
    const cert = await tx.certificate.create({ data: { orgId: actor.orgId, domains: [domain], mode: "acme", status: "pending", autoRenew: true }, select: { id: true } });
    certificateId = cert.id;
    await auditInTx(tx, { orgId: actor.orgId, actorId: actor.userId, actorEmail: actor.email, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null, outcome: "success", action: "certificate.request", targetType: "certificate", targetId: cert.id, details: { domains: [domain], for: `status_page:${page.id}` } });
  }
  await tx.statusPage.update({ where: { id: page.id }, data: { certificateId } });
  if (old) {
    const users = await tx.proxyHost.count({ where: { certificateId: old } });
    const pages = await tx.statusPage.count({ where: { certificateId: old } });
    if (users === 0 && pages === 0) await tx.certificate.delete({ where: { id: old } });
  }
  return certificateId;
}

/** After the commit: nginx gets (or loses) the block, then the certificate is requested. */
export async function afterDomainChange(actor: Actor, certificateId: string | null): Promise<void> {
  if (!hasBuiltInAgent()) return;
  const agentId = await localAgentId(actor);
  // The HTTP block first, so the CA's challenge for the new name reaches the webroot.
  const applied = await requestApply(actor.orgId, agentId);
  if (!applied.ok) logger.warn("applying a status page domain failed", { orgId: actor.orgId, message: applied.message });
  if (certificateId) void startIssuance(actor.orgId, certificateId, { reason: "request", actorId: actor.userId, actorEmail: actor.email, ip: actor.ip });
}

/** What the editor and the API show about a page's domain and its certificate. */
export async function customDomainState(orgId: string, page: { customDomain: string | null; certificateId: string | null }): Promise<CustomDomainState | null> {
  if (!page.customDomain) return null;
  const cert = page.certificateId ? await withOrg(orgId, (tx) => tx.certificate.findFirst({ where: { id: page.certificateId! }, select: { id: true, status: true, error: true, notAfter: true } })) : null;
  const progress = cert && isIssuing(cert.id) ? issuanceProgress(cert.id) : null;
  return {
    domain: page.customDomain,
    certificate: cert ? { id: cert.id, status: cert.status, error: cert.error, notAfter: cert.notAfter?.toISOString() ?? null, progress: progress ? { step: progress.step, index: progress.index, total: progress.total } : null } : null,
    problem: hasBuiltInAgent() ? null : "This edition has no nginx of InfraPilot's own: the name is reserved for this page but not served yet.",
  };
}
