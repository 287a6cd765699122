// Per-agent nginx settings: today the default site, i.e. what nginx answers for a host name no
// proxy host serves (a 404 page, a redirect, or closing the connection without a response).
// Stored per agent because the default server belongs to one nginx (an organization with two
// agents may want different fallbacks); saving re-applies that agent's nginx like a host change.
import { auditInTx, audit } from "../audit/audit.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg, type Tx } from "../db/client.server";
import { NotFoundError, ValidationError } from "../errors.server";
import { parseWith } from "../http/api.server";
import { controlCharacterFields } from "~/validation/proxy";
import { ProxySettingsSchema, storedDefaultSite, type DefaultSite } from "~/validation/proxy-settings";
import { requestApply } from "./apply.server";

export interface ProxySettingsDto {
  agentId: string;
  defaultSite: DefaultSite;
  updatedAt: string | null;
}

export interface ProxySettingsSaved extends ProxySettingsDto {
  apply: { ok: boolean; message: string | null };
}

async function requireAgent(tx: Tx, agentId: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(agentId)) throw new NotFoundError("No such agent.");
  if (!(await tx.agent.findFirst({ where: { id: agentId }, select: { id: true } }))) throw new NotFoundError("No such agent.");
}

/** For the apply pipeline: the agent's default site inside the caller's tenant transaction (one primary-key read). */
export async function defaultSiteFor(tx: Tx, agentId: string): Promise<DefaultSite> {
  const row = await tx.proxySettings.findUnique({ where: { agentId }, select: { defaultSite: true } });
  return row ? storedDefaultSite(row.defaultSite) : { mode: "404" };
}

export async function getProxySettings(actor: Actor, agentId: string): Promise<ProxySettingsDto> {
  assertPermission(actor, "read:proxy");
  return withOrg(actor.orgId, async (tx) => {
    await requireAgent(tx, agentId);
    const row = await tx.proxySettings.findUnique({ where: { agentId }, select: { defaultSite: true, updatedAt: true } });
    return { agentId, defaultSite: row ? storedDefaultSite(row.defaultSite) : { mode: "404" }, updatedAt: row?.updatedAt.toISOString() ?? null };
  });
}

export async function updateProxySettings(actor: Actor, agentId: string, raw: unknown): Promise<ProxySettingsSaved> {
  assertPermission(actor, "manage:proxy");
  // zod trims, which would quietly drop a trailing CR/LF: refuse control characters first.
  const control = controlCharacterFields(raw);
  if (Object.keys(control).length) throw new ValidationError("Some fields are not valid.", control);
  const input = parseWith(ProxySettingsSchema, raw);
  const updatedAt = await withOrg(actor.orgId, async (tx) => {
    await requireAgent(tx, agentId);
    const before = await tx.proxySettings.findUnique({ where: { agentId }, select: { defaultSite: true } });
    const row = await tx.proxySettings.upsert({
      where: { agentId },
      create: { agentId, orgId: actor.orgId, defaultSite: input.defaultSite },
      update: { defaultSite: input.defaultSite },
      select: { updatedAt: true },
    });
    await auditInTx(tx, {
      orgId: actor.orgId,
      action: "proxy.settings.update",
      outcome: "success",
      actorId: actor.userId,
      actorEmail: actor.email,
      targetType: "agent",
      targetId: agentId,
      ip: actor.ip,
      userAgent: actor.userAgent,
      details: { defaultSite: input.defaultSite, previous: before ? storedDefaultSite(before.defaultSite) : { mode: "404" } },
    });
    return row.updatedAt;
  });
  const outcome = await requestApply(actor.orgId, agentId);
  if (!outcome.ok) {
    await audit({ orgId: actor.orgId, action: "proxy.apply", outcome: "failure", actorId: actor.userId, actorEmail: actor.email, targetType: "agent", targetId: agentId, ip: actor.ip, details: { message: outcome.message?.slice(0, 500) ?? null, trigger: "settings" } });
  }
  return { agentId, defaultSite: input.defaultSite, updatedAt: updatedAt.toISOString(), apply: { ok: outcome.ok, message: outcome.message } };
}
