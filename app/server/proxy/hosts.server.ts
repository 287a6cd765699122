// Proxy and redirection hosts of an agent: list, get, create, update, delete, bulk import, apply.
// Every change is validated (allowlists), checked against permissions and the policy hook,
// committed with its audit entry, and then applied to nginx; the verb answers with the host as
// stored, including the apply's outcome: by default once nginx confirmed the reload (status ok or
// error, the host is serving), with `{ wait: false }` as soon as the change passed nginx's test
// and nginx was signalled (status "pending", or "error" when the test refused it; the
// confirmation then updates the status in the background). The UI saves without waiting.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { hasBuiltInAgent } from "../agents/registry.server";
import { auditInTx, audit } from "../audit/audit.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg, type Tx } from "../db/client.server";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../errors.server";
import { parseWith } from "../http/api.server";
import { logger } from "../logger.server";
import { controlCharacterFields, HostInputSchema, type HostInput } from "~/validation/proxy";
import { requestApply, startApply, type ApplyOutcome } from "./apply.server";
import { HOST_SELECT, toHostDto, toStoredConfig, type HostAudience, type ProxyHostDto } from "./dto.server";
import { can } from "~/permissions";
import { evaluateProxyPolicy, type ProxyPolicyAction } from "./policy.server";
import { requestCertificateForHost } from "../certs/certificates.server";

/** Let's Encrypt without a picked certificate: one is requested (or reused) for the host's domains. */
function wantsNewCertificate(actor: Actor, input: HostInput): boolean {
  const wants = input.tls.mode === "acme" && !input.tls.certificateId;
  if (wants) assertPermission(actor, "manage:certificate");
  return wants;
}

/** Validates a raw body (also used by the routes): control characters anywhere are refused first. */
export function parseHostInput(raw: unknown): HostInput {
  const control = controlCharacterFields(raw);
  if (Object.keys(control).length) throw new ValidationError("Some fields are not valid.", control);
  return parseWith(HostInputSchema, withoutReadOnly(raw));
}

/** `hasAdvanced` is derived: what GET returns stays a valid PATCH body. */
function withoutReadOnly(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const { hasAdvanced: _derived, ...rest } = raw as Record<string, unknown>;
  return rest;
}

async function requireAgent(tx: Tx, agentId: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(agentId)) throw new NotFoundError("No such agent.");
  const agent = await tx.agent.findFirst({ where: { id: agentId }, select: { id: true, kind: true } });
  // SaaS: a "local" row is no agent of the organization (decision 091).
  if (!agent || (agent.kind === "local" && !hasBuiltInAgent())) throw new NotFoundError("No such agent.");
}

async function checkPolicy(actor: Actor, action: ProxyPolicyAction, input: unknown): Promise<void> {
  const verdict = await evaluateProxyPolicy(actor, action, input);
  if (verdict.effect === "block") throw new ForbiddenError(`Blocked by policy: ${verdict.reasons.join("; ")}`);
}

/** Advanced directives are super-admin only; an unchanged value may be re-sent by anyone who may edit. */
function assertAdvancedAllowed(actor: Actor, next: string, previous: string): void {
  if (next.trim() !== previous.trim()) assertPermission(actor, "manage:proxy-advanced");
}

function audienceOf(actor: Actor): HostAudience {
  return { seesAdvanced: can(actor.role, "manage:proxy-advanced") };
}

/**
 * Whether the body sets `advanced` at all. Absent (or null) keeps the stored directives: an admin,
 * who never sees them, saves the rest of the host without wiping them, and a PATCH keeps what it
 * omits like every other field.
 */
function setsAdvanced(raw: unknown): boolean {
  return Boolean(raw && typeof raw === "object" && "advanced" in raw && (raw as { advanced: unknown }).advanced !== null && (raw as { advanced: unknown }).advanced !== undefined);
}

function withoutAdvanced(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const { advanced: _omitted, ...rest } = raw as Record<string, unknown>;
  return rest;
}

async function assertReferences(tx: Tx, input: HostInput): Promise<void> {
  if (input.kind === "proxy" && input.accessListId) {
    const list = await tx.accessList.findFirst({ where: { id: input.accessListId }, select: { id: true } });
    if (!list) throw new ValidationError("Some fields are not valid.", { accessListId: "No such access list." });
  }
  if (input.tls.mode !== "none" && input.tls.certificateId) {
    const cert = await tx.certificate.findFirst({ where: { id: input.tls.certificateId }, select: { id: true } });
    if (!cert) throw new ValidationError("Some fields are not valid.", { "tls.certificateId": "No such certificate." });
  }
  if (input.tls.mode === "custom" && !input.tls.certificateId) throw new ValidationError("Some fields are not valid.", { "tls.certificateId": "Pick the uploaded certificate." });
}

async function assertDomainsFree(tx: Tx, agentId: string, domains: string[], exceptId?: string): Promise<void> {
  // Serializes domain checks per agent, so two concurrent creates cannot both claim a name.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"proxy-domains:" + agentId}))`;
  const clash = await tx.proxyHost.findFirst({ where: { agentId, domains: { hasSome: domains }, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { domains: true } });
  if (clash) throw new ConflictError(`${clash.domains.filter((d) => domains.includes(d)).join(", ")} is already served by another host on this agent.`);
  // A status page's custom domain is served by the built-in agent's nginx too (decision 140).
  const page = await tx.statusPage.findFirst({ where: { customDomain: { in: domains } }, select: { customDomain: true, slug: true } });
  if (page) throw new ConflictError(`${page.customDomain} is the custom domain of the status page ${page.slug}: a name is served by one site only.`, "domain_taken", { domains: `${page.customDomain} is the custom domain of your status page ${page.slug}.` });
  // Another organization's status page may hold it too: asked yes or no, never whose (decision 163).
  // Other organizations' proxy hosts do not count here: each serves the name on its own agent.
  for (const domain of domains) {
    const [row] = await tx.$queryRaw<{ taken: boolean }[]>`SELECT domain_taken_by_other_org(${domain}, false) AS taken`;
    if (row?.taken) throw new ConflictError(`${domain} is already used on this service. Choose another name.`, "domain_taken", { domains: `${domain} is already used on this service.` });
  }
}

function rowData(input: HostInput) {
  return {
    kind: input.kind,
    domains: input.domains,
    enabled: input.enabled,
    config: toStoredConfig(input) as object,
    advanced: input.advanced,
    accessListId: input.kind === "proxy" ? input.accessListId : null,
    certificateId: input.tls.mode === "none" ? null : input.tls.certificateId,
    status: "pending",
    statusMessage: null,
  };
}

function auditEntry(actor: Actor, action: string, targetId: string, details: Record<string, unknown>) {
  return { orgId: actor.orgId, action, outcome: "success" as const, actorId: actor.userId, actorEmail: actor.email, targetType: "proxy_host", targetId, ip: actor.ip, details };
}

export async function listProxyHosts(actor: Actor, agentId: string): Promise<{ items: ProxyHostDto[]; nextCursor: null }> {
  assertPermission(actor, "read:proxy");
  const rows = await withOrg(actor.orgId, async (tx) => {
    await requireAgent(tx, agentId);
    return tx.proxyHost.findMany({ where: { agentId }, select: HOST_SELECT, orderBy: { createdAt: "asc" } });
  });
  const audience = audienceOf(actor);
  return { items: rows.map((row) => toHostDto(row, audience)), nextCursor: null };
}

export async function getProxyHost(actor: Actor, agentId: string, id: string): Promise<ProxyHostDto> {
  assertPermission(actor, "read:proxy");
  const row = await withOrg(actor.orgId, async (tx) => {
    await requireAgent(tx, agentId);
    return tx.proxyHost.findFirst({ where: { id, agentId }, select: HOST_SELECT });
  });
  if (!row) throw new NotFoundError("No such proxy host.");
  return toHostDto(row, audienceOf(actor));
}

async function reread(actor: Actor, agentId: string, id: string): Promise<ProxyHostDto> {
  const row = await withOrg(actor.orgId, (tx) => tx.proxyHost.findFirst({ where: { id, agentId }, select: HOST_SELECT }));
  if (!row) throw new NotFoundError("No such proxy host.");
  return toHostDto(row, audienceOf(actor));
}

/** How long a saving verb waits: for nginx's confirmation (default) or only for the signal. */
export interface SaveOptions {
  wait?: boolean;
}

/** `?wait=true|false` of the saving API routes (default true: answer once nginx confirmed). */
export const SaveQuerySchema = z
  .object({ wait: z.enum(["true", "false"], { message: "expected true or false" }).optional() })
  .transform((q): SaveOptions => ({ wait: q.wait !== "false" }));

export async function createProxyHost(actor: Actor, agentId: string, raw: unknown, options: SaveOptions = {}): Promise<ProxyHostDto> {
  assertPermission(actor, "manage:proxy");
  const input = parseHostInput(raw);
  assertAdvancedAllowed(actor, input.advanced, "");
  await checkPolicy(actor, "proxy.create", input);
  const newCertificate = wantsNewCertificate(actor, input);
  const id = await withOrg(actor.orgId, async (tx) => {
    await requireAgent(tx, agentId);
    await assertReferences(tx, input);
    await assertDomainsFree(tx, agentId, input.domains);
    const row = await tx.proxyHost.create({ data: { orgId: actor.orgId, agentId, ...rowData(input) }, select: { id: true } });
    await auditInTx(tx, auditEntry(actor, "proxy.create", row.id, { agentId, kind: input.kind, domains: input.domains, advanced: input.advanced !== "" }));
    return row.id;
  });
  if (newCertificate) await requestCertificateForHost(actor, id, input.domains);
  await applyAfterChange(actor, agentId, options);
  return reread(actor, agentId, id);
}

export async function updateProxyHost(actor: Actor, agentId: string, id: string, raw: unknown, options: SaveOptions = {}): Promise<ProxyHostDto> {
  assertPermission(actor, "manage:proxy");
  const keepAdvanced = !setsAdvanced(raw);
  const parsed = parseHostInput(keepAdvanced ? withoutAdvanced(raw) : raw);
  await checkPolicy(actor, "proxy.update", parsed);
  const newCertificate = wantsNewCertificate(actor, parsed);
  let input = parsed;
  await withOrg(actor.orgId, async (tx) => {
    await requireAgent(tx, agentId);
    const existing = await tx.proxyHost.findFirst({ where: { id, agentId }, select: { advanced: true } });
    if (!existing) throw new NotFoundError("No such proxy host.");
    if (keepAdvanced) input = { ...parsed, advanced: existing.advanced };
    assertAdvancedAllowed(actor, input.advanced, existing.advanced);
    await assertReferences(tx, input);
    await assertDomainsFree(tx, agentId, input.domains, id);
    await tx.proxyHost.update({ where: { id }, data: rowData(input) });
    await auditInTx(tx, auditEntry(actor, "proxy.update", id, { agentId, kind: input.kind, domains: input.domains, advancedChanged: input.advanced.trim() !== existing.advanced.trim() }));
  });
  if (newCertificate) await requestCertificateForHost(actor, id, input.domains);
  await applyAfterChange(actor, agentId, options);
  return reread(actor, agentId, id);
}

export async function deleteProxyHost(actor: Actor, agentId: string, id: string, options: SaveOptions = {}): Promise<void> {
  assertPermission(actor, "manage:proxy");
  await checkPolicy(actor, "proxy.delete", { id });
  await withOrg(actor.orgId, async (tx) => {
    await requireAgent(tx, agentId);
    const existing = await tx.proxyHost.findFirst({ where: { id, agentId }, select: { domains: true } });
    if (!existing) throw new NotFoundError("No such proxy host.");
    await tx.proxyHost.delete({ where: { id } });
    await auditInTx(tx, auditEntry(actor, "proxy.delete", id, { agentId, domains: existing.domains }));
  });
  await applyAfterChange(actor, agentId, options);
}

/** Many hosts in one transaction and one apply: exactly one `nginx -t` and one reload. */
export async function importProxyHosts(actor: Actor, agentId: string, raws: unknown[]): Promise<{ ids: string[]; apply: ApplyOutcome }> {
  assertPermission(actor, "manage:proxy");
  const inputs = raws.map((raw, i) => {
    try {
      return parseHostInput(raw);
    } catch (error) {
      if (error instanceof ValidationError) throw new ValidationError(`Host ${i + 1}: ${error.message}`, Object.fromEntries(Object.entries(error.fields ?? {}).map(([k, v]) => [`${i}.${k}`, v])));
      throw error;
    }
  });
  for (const input of inputs) assertAdvancedAllowed(actor, input.advanced, "");
  await checkPolicy(actor, "proxy.create", inputs);
  const seen = new Set<string>();
  for (const d of inputs.flatMap((i) => i.domains)) {
    if (seen.has(d)) throw new ConflictError(`${d} appears twice in the import.`);
    seen.add(d);
  }
  const ids = await withOrg(
    actor.orgId,
    async (tx) => {
      await requireAgent(tx, agentId);
      await assertDomainsFree(tx, agentId, [...seen]);
      for (const input of inputs) if ((input.kind === "proxy" && input.accessListId) || input.tls.mode !== "none") await assertReferences(tx, input);
      const rows = inputs.map((input) => ({ id: randomUUID(), orgId: actor.orgId, agentId, ...rowData(input) }));
      await tx.proxyHost.createMany({ data: rows });
      const created = rows.map((r) => r.id);
      await auditInTx(tx, auditEntry(actor, "proxy.import", agentId, { agentId, count: created.length }));
      return created;
    },
    { timeout: 120_000 },
  );
  return { ids, apply: await applyAfterChange(actor, agentId) };
}

async function applyAfterChange(actor: Actor, agentId: string, options: SaveOptions = {}): Promise<ApplyOutcome> {
  const run = startApply(actor.orgId, agentId);
  const audited = run.done.then(async (outcome) => {
    if (!outcome.ok || outcome.rejectedHostIds.length) {
      await audit({ orgId: actor.orgId, action: "proxy.apply", outcome: "failure", actorId: actor.userId, actorEmail: actor.email, targetType: "agent", targetId: agentId, ip: actor.ip, details: { message: outcome.message?.slice(0, 500) ?? null, rejectedHostIds: outcome.rejectedHostIds } });
    }
    return outcome;
  });
  if (options.wait === false) {
    audited.catch((error: unknown) => logger.error("confirming a proxy apply failed", { agentId, error }));
    return run.accepted;
  }
  return audited;
}

/** Re-applies everything (after a crash, a manual edit, or to retry). */
export async function applyProxies(actor: Actor, agentId: string): Promise<ApplyOutcome> {
  assertPermission(actor, "manage:proxy");
  await checkPolicy(actor, "proxy.apply", { agentId });
  await withOrg(actor.orgId, (tx) => requireAgent(tx, agentId));
  const outcome = await requestApply(actor.orgId, agentId);
  await audit({ orgId: actor.orgId, action: "proxy.apply", outcome: outcome.ok ? "success" : "failure", actorId: actor.userId, actorEmail: actor.email, targetType: "agent", targetId: agentId, ip: actor.ip, details: { message: outcome.message?.slice(0, 500) ?? null, generation: outcome.generation, rejectedHostIds: outcome.rejectedHostIds } });
  return outcome;
}

export async function getApplyStatus(actor: Actor, agentId: string) {
  assertPermission(actor, "read:proxy");
  return withOrg(actor.orgId, async (tx) => {
    await requireAgent(tx, agentId);
    const state = await tx.proxyApplyState.findFirst({ where: { agentId } });
    const counts = await tx.proxyHost.groupBy({ by: ["status"], where: { agentId }, _count: { _all: true } });
    return {
      state: (state?.state ?? "pending") as "pending" | "ok" | "error",
      message: state?.message ?? null,
      generation: state?.generation ?? null,
      appliedAt: state?.appliedAt?.toISOString() ?? null,
      hosts: Object.fromEntries(counts.map((c) => [c.status, c._count._all])) as Record<string, number>,
    };
  });
}
