// Issuing and renewing ACME certificates in the background: pre-flight checks with plain-language
// errors → the organization's ACME account (created on first use, key sealed at rest) → order
// through HTTP-01, the key authorization published in the agent's webroot → store the chain and
// the sealed key → re-apply every agent whose hosts use the certificate. A failure stores the
// CA's own message in `error` and schedules the next attempt with backoff (`renewAttempts`,
// `nextAttemptAt`); a certificate that was issued before keeps serving. One run per certificate
// at a time in this process; the periodic job runs under an advisory lock (one replica).
import { lookup } from "node:dns/promises";
import { audit } from "../audit/audit.server";
import { hostFor, localAgentId } from "../agents/registry.server";
import { seal, unseal, randomToken } from "../crypto.server";
import { systemDb, withOrg } from "../db/client.server";
import { env } from "../env.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";
import { applierOf } from "../proxy/appliers.server";
import { requestApply } from "../proxy/apply.server";
import { AcmeError, createAccountKey, orderCertificate, registerAccount, type AcmeAccountRef } from "./acme.server";
import { challengeAnswerProblem } from "./challenge-answer";
import { certificateInfo } from "./pem";
import { isDue, retryDelayMs } from "./renewal";
import type { ProxyApplier } from "#agent/nginx/types";
import type { AgentHost } from "#agent/host";

export type IssueTrigger = { reason: "request" | "renew" | "job"; actorId?: string | null; actorEmail?: string | null; ip?: string | null };

const inFlight = singleton("certs:in-flight", () => new Map<string, Promise<void>>());
const accountLocks = singleton("certs:account-locks", () => new Map<string, Promise<AcmeAccountRef>>());

export function isIssuing(certificateId: string): boolean {
  return inFlight.has(certificateId);
}

/** Where a running issuance is, for the UI's progress line (process memory, like `renewing`). */
export const ISSUANCE_STEPS = ["preflight", "account", "order", "validation", "install"] as const;
export type IssuanceStep = (typeof ISSUANCE_STEPS)[number];
const progress = singleton("certs:progress", () => new Map<string, { step: IssuanceStep; since: Date }>());

export function issuanceProgress(certificateId: string): { step: IssuanceStep; index: number; total: number; since: string } | null {
  const p = progress.get(certificateId);
  return p ? { step: p.step, index: ISSUANCE_STEPS.indexOf(p.step) + 1, total: ISSUANCE_STEPS.length, since: p.since.toISOString() } : null;
}

function stepTo(certificateId: string, step: IssuanceStep): void {
  progress.set(certificateId, { step, since: new Date() });
}

/** Starts (or joins) the issuance of one certificate; the promise never rejects. */
export function startIssuance(orgId: string, certificateId: string, trigger: IssueTrigger): Promise<void> {
  const running = inFlight.get(certificateId);
  if (running) return running;
  const run = issue(orgId, certificateId, trigger)
    .catch((error) => logger.error("certificate issuance crashed", { certificateId, error }))
    .finally(() => {
      inFlight.delete(certificateId);
      progress.delete(certificateId);
    });
  inFlight.set(certificateId, run);
  return run;
}

class PreflightError extends Error {}

async function issue(orgId: string, id: string, trigger: IssueTrigger): Promise<void> {
  const row = await withOrg(orgId, (tx) => tx.certificate.findFirst({ where: { id }, select: { domains: true, mode: true, certificatePem: true, renewAttempts: true, proxyHosts: { select: { agentId: true } } } }));
  // No proxy host: a status page's certificate (decision 140) or a lone one, on the built-in agent.
  if (!row || row.mode !== "acme") return;
  const directoryUrl = env().ACME_DIRECTORY_URL;
  const agentId = row.proxyHosts[0]?.agentId ?? (await localAgentId({ orgId }));
  const action = row.certificatePem ? "certificate.renew" : "certificate.issue";
  try {
    const host = await hostFor({ orgId }, agentId);
    const applier = applierOf(host);
    stepTo(id, "preflight");
    await preflight(orgId, agentId, host, applier, row.domains, directoryUrl);
    stepTo(id, "account");
    const account = await ensureAccount(orgId, directoryUrl);
    stepTo(id, "order");
    const issued = await orderCertificate(account, row.domains, {
      put: async (t, k) => {
        await applier.putChallenge(t, k);
        // The key authorization is published: the CA fetches it from nginx now.
        stepTo(id, "validation");
      },
      remove: (t) => applier.removeChallenge(t),
    });
    stepTo(id, "install");
    const info = certificateInfo(issued.certificatePem);
    const agentIds = await withOrg(orgId, async (tx) => {
      await tx.certificate.update({
        where: { id },
        data: { status: "issued", error: null, issuer: info.issuer, notBefore: info.notBefore, notAfter: info.notAfter, certificatePem: issued.certificatePem, keySealed: seal(issued.keyPem), renewAttempts: 0, nextAttemptAt: null },
      });
      const hosts = await tx.proxyHost.findMany({ where: { certificateId: id }, select: { agentId: true } });
      await tx.proxyHost.updateMany({ where: { certificateId: id }, data: { status: "pending" } });
      // A status page's custom domain is served by the built-in agent's nginx (decision 140).
      const pages = await tx.statusPage.count({ where: { certificateId: id } });
      return [...new Set([...hosts.map((h) => h.agentId), ...(pages > 0 ? [agentId] : [])])];
    });
    await audit({ orgId, action, outcome: "success", actorId: trigger.actorId ?? null, actorEmail: trigger.actorEmail ?? null, ip: trigger.ip ?? null, targetType: "certificate", targetId: id, details: { domains: row.domains, serialNumber: info.serialNumber, notAfter: info.notAfter.toISOString(), trigger: trigger.reason } });
    // The new chain and key reach nginx through the normal pipeline (nginx -t, swap, reload).
    await Promise.all(agentIds.map((a) => requestApply(orgId, a)));
  } catch (error) {
    const message = describeFailure(error);
    const attempts = row.renewAttempts + 1;
    await withOrg(orgId, (tx) =>
      tx.certificate.update({
        where: { id },
        // A certificate issued before keeps serving until it expires; only a first issuance is an error.
        data: { status: row.certificatePem ? "issued" : "error", error: message.slice(0, 4000), renewAttempts: attempts, nextAttemptAt: new Date(Date.now() + retryDelayMs(attempts)) },
      }),
    );
    await audit({ orgId, action, outcome: "failure", actorId: trigger.actorId ?? null, actorEmail: trigger.actorEmail ?? null, ip: trigger.ip ?? null, targetType: "certificate", targetId: id, details: { domains: row.domains, message: message.slice(0, 500), attempts, trigger: trigger.reason } });
    if (!(error instanceof PreflightError) && !(error instanceof AcmeError)) logger.error("certificate issuance failed", { certificateId: id, error });
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof PreflightError || error instanceof AcmeError) return error.message;
  const e = error as { message?: string };
  return `The certificate could not be issued: ${e.message ?? String(error)}`;
}

// ---------------------------------------------------------------- pre-flight

const RESERVED_TLDS = ["test", "localhost", "invalid", "example", "local", "internal", "lan", "home.arpa"];

function isLocalDirectory(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

/** Catches what would make the CA fail, and says so in words a user can act on. */
async function preflight(orgId: string, agentId: string, host: AgentHost, applier: ProxyApplier, domains: string[], directoryUrl: string): Promise<void> {
  let status = await applier.status();
  if (!status.running) {
    // The first apply starts nginx; the default server already answers challenges for any name.
    const outcome = await requestApply(orgId, agentId);
    status = await applier.status();
    if (!status.running) throw new PreflightError(`nginx is not running, so the CA cannot fetch the challenge${outcome.message ? `: ${outcome.message}` : "."} Fix nginx on the Proxies page, then retry.`);
  }
  // A public CA must reach this server from the Internet; a CA on this machine (pebble) resolves names itself.
  const publicCa = !isLocalDirectory(directoryUrl);
  for (const domain of domains) {
    if (publicCa) {
      const tld = RESERVED_TLDS.find((t) => domain === t || domain.endsWith(`.${t}`));
      if (tld) throw new PreflightError(`${domain} is a reserved name (.${tld}); a public CA cannot issue a certificate for it. Upload a certificate instead.`);
      try {
        await lookup(domain, { all: true });
      } catch {
        throw new PreflightError(`${domain} does not resolve in DNS. Point its A (or AAAA) record at this server, wait for it to propagate, then retry.`);
      }
    }
    await selfCheck(host, applier, domain);
  }
}

/** Publishes a probe token and has the agent fetch it from its nginx the way the CA will (Host: domain, HTTP port). */
async function selfCheck(host: AgentHost, applier: ProxyApplier, domain: string): Promise<void> {
  const port = (await host.facts()).nginx.httpPort;
  const token = `infrapilot-probe-${randomToken(12)}`;
  const value = randomToken(24);
  await applier.putChallenge(token, value);
  try {
    const answer = await host.probes.challenge(domain, token);
    if ("error" in answer) throw new PreflightError(`nginx does not answer on port ${port} (${answer.error}), so the CA cannot fetch the challenge for ${domain}. Check that nginx runs (Proxies page) and that port ${port} is free.`);
    const problem = challengeAnswerProblem({ domain, status: answer.status, body: answer.body, location: answer.location, expected: value });
    if (problem) throw new PreflightError(problem);
  } finally {
    await applier.removeChallenge(token).catch(() => {});
  }
}

// ---------------------------------------------------------------- account

/** The organization's account at this directory; created and registered on first use. */
function ensureAccount(orgId: string, directoryUrl: string): Promise<AcmeAccountRef> {
  const key = `${orgId} ${directoryUrl}`;
  const pending = accountLocks.get(key);
  if (pending) return pending;
  const run = loadOrCreateAccount(orgId, directoryUrl).finally(() => accountLocks.delete(key));
  accountLocks.set(key, run);
  return run;
}

async function loadOrCreateAccount(orgId: string, directoryUrl: string): Promise<AcmeAccountRef> {
  const email = env().ACME_EMAIL ?? null;
  const existing = await withOrg(orgId, (tx) => tx.acmeAccount.findFirst({ where: { directoryUrl }, select: { keySealed: true, accountUrl: true, email: true } }));
  if (existing?.accountUrl) return { directoryUrl, keyPem: unseal(existing.keySealed), accountUrl: existing.accountUrl, email: existing.email };
  const keyPem = existing ? unseal(existing.keySealed) : await createAccountKey();
  const accountUrl = await registerAccount({ directoryUrl, keyPem, accountUrl: null, email });
  await withOrg(orgId, (tx) =>
    tx.acmeAccount.upsert({
      where: { orgId_directoryUrl: { orgId, directoryUrl } },
      create: { orgId, directoryUrl, email, keySealed: seal(keyPem), accountUrl },
      update: { accountUrl },
    }),
  );
  return { directoryUrl, keyPem, accountUrl, email };
}

// ---------------------------------------------------------------- renewal job

/**
 * Every organization's ACME certificates that expire within 30 days (or whose first issuance
 * failed), past their backoff. Organizations are found through `organization_ids()` (a definer
 * function), because the app role sees no tenant rows without an organization set.
 */
export async function renewDueCertificates(now = new Date()): Promise<{ attempted: number }> {
  const orgs = await systemDb().$queryRaw<{ orgId: string }[]>`SELECT "orgId" FROM organization_ids()`;
  let attempted = 0;
  for (const { orgId } of orgs) {
    const certs = await withOrg(orgId, (tx) => tx.certificate.findMany({ where: { mode: "acme", autoRenew: true }, select: { id: true, mode: true, status: true, autoRenew: true, notAfter: true, nextAttemptAt: true } }));
    for (const c of certs) {
      if (!isDue(c, now) || isIssuing(c.id)) continue;
      attempted++;
      await startIssuance(orgId, c.id, { reason: "job" });
    }
  }
  return { attempted };
}
