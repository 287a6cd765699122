// SSO providers of the current organization: create, list, update, delete (admin, audited).
// Secrets (OIDC client secret, LDAP bind password) are sealed together and never leave the
// server: the DTO says only which are set. `loadProvider` is for the public login routes, which
// know only a provider id (the organization comes from `sso_provider_org`).
import type { Prisma } from "~/generated/prisma/client";
import type { Role } from "~/permissions";
import {
  LdapConfigSchema,
  OidcConfigSchema,
  SSO_SECRET_FIELDS,
  type CreateSsoProviderInput,
  type LdapConfig,
  type OidcConfig,
  type SsoType,
  type UpdateSsoProviderInput,
} from "~/validation/sso";
import { auditInTx } from "../audit/audit.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { forgetClientConfig, insecureIssuerAllowed } from "../auth/oidc.server";
import { seal, unseal } from "../crypto.server";
import { systemDb, withOrg, type Tx } from "../db/client.server";
import { env } from "../env.server";
import { ConflictError, NotFoundError, ValidationError } from "../errors.server";
import { parseWith } from "../http/api.server";

export interface GroupRole {
  group: string;
  role: Role;
}

export interface SsoProviderDto {
  id: string;
  type: SsoType;
  name: string;
  /** Settings that may be shown; secrets are absent. */
  config: Record<string, unknown>;
  /** Which secret fields hold a value. */
  secrets: Record<string, boolean>;
  groupRoleMap: GroupRole[];
  defaultRole: Role;
  jit: boolean;
  enforced: boolean;
  loginUrl: string;
  /** OIDC: the redirect URI to register at the IdP. */
  callbackUrl?: string;
  createdAt: string;
  updatedAt: string;
}

/** A provider with its secrets, for the login flows only (never serialised). */
export interface SsoProviderFull {
  id: string;
  orgId: string;
  type: SsoType;
  name: string;
  settings: Record<string, unknown>;
  groupRoleMap: GroupRole[];
  defaultRole: Role;
  jit: boolean;
  enforced: boolean;
}

const SELECT = { id: true, orgId: true, type: true, name: true, config: true, secretsSealed: true, groupRoleMap: true, defaultRole: true, jit: true, enforced: true, createdAt: true, updatedAt: true } as const;
type Row = Prisma.SsoProviderGetPayload<{ select: typeof SELECT }>;

const ID = /^[0-9a-f-]{36}$/i;

export function providerUrls(id: string, type: SsoType): { loginUrl: string; callbackUrl?: string } {
  const base = `${env().PUBLIC_URL}/api/v1/auth/sso/${id}`;
  if (type === "ldap") return { loginUrl: `${base}/ldap` };
  if (type === "oidc") return { loginUrl: `${base}/login`, callbackUrl: `${base}/callback` };
  return { loginUrl: `${base}/login` };
}

function ssoType(t: string): SsoType {
  return t === "ldap" || t === "saml" ? t : "oidc";
}

function readSecrets(row: Pick<Row, "secretsSealed">): Record<string, unknown> {
  return row.secretsSealed ? (JSON.parse(unseal(row.secretsSealed)) as Record<string, unknown>) : {};
}

function toDto(row: Row): SsoProviderDto {
  const type = ssoType(row.type);
  const secrets = readSecrets(row);
  const flags: Record<string, boolean> = {};
  for (const f of SSO_SECRET_FIELDS[type]) flags[f] = typeof secrets[f] === "string" && secrets[f] !== "";
  return {
    id: row.id,
    type,
    name: row.name,
    config: (row.config ?? {}) as Record<string, unknown>,
    secrets: flags,
    groupRoleMap: (row.groupRoleMap ?? []) as unknown as GroupRole[],
    defaultRole: row.defaultRole,
    jit: row.jit,
    enforced: row.enforced,
    ...providerUrls(row.id, type),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toFull(row: Row): SsoProviderFull {
  return {
    id: row.id,
    orgId: row.orgId,
    type: ssoType(row.type),
    name: row.name,
    settings: { ...(row.config as object), ...readSecrets(row) },
    groupRoleMap: (row.groupRoleMap ?? []) as unknown as GroupRole[],
    defaultRole: row.defaultRole,
    jit: row.jit,
    enforced: row.enforced,
  };
}

function split(type: SsoType, settings: Record<string, unknown>) {
  const config: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) {
    if (SSO_SECRET_FIELDS[type].includes(k)) {
      if (typeof v === "string" && v !== "") secrets[k] = v;
    } else config[k] = v;
  }
  return { config, secretsSealed: Object.keys(secrets).length ? seal(JSON.stringify(secrets)) : null };
}

function validateConfig(type: SsoType, raw: Record<string, unknown>): Record<string, unknown> {
  // Field errors name the API's path (config.issuer…).
  const schema = type === "ldap" ? LdapConfigSchema : OidcConfigSchema;
  try {
    const parsed = parseWith(schema, raw) as Record<string, unknown>;
    if (type === "oidc" && String(parsed.issuer).startsWith("http:") && !insecureIssuerAllowed()) {
      throw new ValidationError("Some fields are not valid.", { issuer: "Use https:// (the token endpoint's TLS is what vouches for the ID token)." });
    }
    return parsed;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(error.message, Object.fromEntries(Object.entries(error.fields ?? {}).map(([k, v]) => [`config.${k}`, v])));
  }
}

async function findRow(tx: Tx, orgId: string, id: string): Promise<Row> {
  if (!ID.test(id)) throw new NotFoundError("No such SSO provider.");
  const row = await tx.ssoProvider.findFirst({ where: { id, orgId }, select: SELECT });
  if (!row) throw new NotFoundError("No such SSO provider.");
  return row;
}

function uniqueName<T>(fn: () => Promise<T>): Promise<T> {
  return fn().catch((error: { code?: string }) => {
    if (error?.code === "P2002") throw new ConflictError("A provider with this name already exists.");
    throw error;
  });
}

const auditBase = (actor: Actor) => ({ orgId: actor.orgId, actorId: actor.userId, actorEmail: actor.email, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null, outcome: "success" as const, targetType: "sso_provider" });

export async function listProviders(actor: Actor): Promise<{ items: SsoProviderDto[]; nextCursor: null }> {
  assertPermission(actor, "manage:settings");
  const rows = await withOrg(actor.orgId, (tx) => tx.ssoProvider.findMany({ where: { orgId: actor.orgId }, select: SELECT, orderBy: { name: "asc" }, take: 500 }));
  return { items: rows.map(toDto), nextCursor: null };
}

export async function getProvider(actor: Actor, id: string): Promise<SsoProviderDto> {
  assertPermission(actor, "manage:settings");
  return toDto(await withOrg(actor.orgId, (tx) => findRow(tx, actor.orgId, id)));
}

export async function createProvider(actor: Actor, input: CreateSsoProviderInput): Promise<SsoProviderDto> {
  assertPermission(actor, "manage:settings");
  const settings = validateConfig(input.type, input.config as Record<string, unknown>);
  const { config, secretsSealed } = split(input.type, settings);
  const row = await uniqueName(() =>
    withOrg(actor.orgId, async (tx) => {
      const created = await tx.ssoProvider.create({
        data: { orgId: actor.orgId, type: input.type, name: input.name, config: config as object, secretsSealed, groupRoleMap: input.groupRoleMap, defaultRole: input.defaultRole, jit: input.jit, enforced: input.enforced },
        select: SELECT,
      });
      await auditInTx(tx, { ...auditBase(actor), action: "sso.provider.create", targetId: created.id, details: { name: input.name, type: input.type, jit: input.jit, enforced: input.enforced, defaultRole: input.defaultRole, groupRoleMap: input.groupRoleMap } });
      return created;
    }),
  );
  return toDto(row);
}

export async function updateProvider(actor: Actor, id: string, input: UpdateSsoProviderInput): Promise<SsoProviderDto> {
  assertPermission(actor, "manage:settings");
  const row = await uniqueName(() =>
    withOrg(actor.orgId, async (tx) => {
      const existing = await findRow(tx, actor.orgId, id);
      const type = ssoType(existing.type);
      const data: Prisma.SsoProviderUpdateInput = {};
      if (input.config !== undefined) {
        // Secrets not sent keep their value; an explicit null or "" clears an optional one.
        const merged: Record<string, unknown> = { ...(existing.config as object), ...readSecrets(existing) };
        for (const [k, v] of Object.entries(input.config)) {
          if ((v === null || v === "") && SSO_SECRET_FIELDS[type].includes(k)) delete merged[k];
          else merged[k] = v;
        }
        const { config, secretsSealed } = split(type, validateConfig(type, merged));
        data.config = config as object;
        data.secretsSealed = secretsSealed;
      }
      if (input.name !== undefined) data.name = input.name;
      if (input.groupRoleMap !== undefined) data.groupRoleMap = input.groupRoleMap;
      if (input.defaultRole !== undefined) data.defaultRole = input.defaultRole;
      if (input.jit !== undefined) data.jit = input.jit;
      if (input.enforced !== undefined) data.enforced = input.enforced;
      const updated = await tx.ssoProvider.update({ where: { id }, data, select: SELECT });
      const changed = [...Object.keys(input).filter((k) => k !== "config"), ...Object.keys(input.config ?? {}).map((k) => `config.${k}`)];
      await auditInTx(tx, {
        ...auditBase(actor),
        action: "sso.provider.update",
        targetId: id,
        details: { changed, ...(input.groupRoleMap ? { groupRoleMap: input.groupRoleMap } : {}), ...(input.enforced !== undefined ? { enforced: input.enforced } : {}), ...(input.jit !== undefined ? { jit: input.jit } : {}) },
      });
      return updated;
    }),
  );
  forgetClientConfig();
  return toDto(row);
}

export async function deleteProvider(actor: Actor, id: string): Promise<void> {
  assertPermission(actor, "manage:settings");
  await withOrg(actor.orgId, async (tx) => {
    const row = await findRow(tx, actor.orgId, id);
    await tx.ssoProvider.delete({ where: { id } });
    await auditInTx(tx, { ...auditBase(actor), action: "sso.provider.delete", targetId: id, details: { name: row.name, type: row.type } });
  });
  forgetClientConfig();
}

/** For an admin's own use (the "Test" round trip): the full provider of the actor's organization. */
export async function providerForAdmin(actor: Actor, id: string): Promise<SsoProviderFull> {
  assertPermission(actor, "manage:settings");
  return toFull(await withOrg(actor.orgId, (tx) => findRow(tx, actor.orgId, id)));
}

/** The public login routes: a provider found by id alone (404 when unknown). */
export async function loadProvider(id: string): Promise<SsoProviderFull> {
  if (!ID.test(id)) throw new NotFoundError("No such SSO provider.");
  const rows = await systemDb().$queryRaw<{ orgId: string | null }[]>`SELECT sso_provider_org(${id}) AS "orgId"`;
  const orgId = rows[0]?.orgId;
  if (!orgId) throw new NotFoundError("No such SSO provider.");
  return toFull(await withOrg(orgId, (tx) => findRow(tx, orgId, id)));
}

export function oidcSettings(p: SsoProviderFull): OidcConfig {
  return p.settings as unknown as OidcConfig;
}

export function ldapSettings(p: SsoProviderFull): LdapConfig {
  return p.settings as unknown as LdapConfig;
}

export interface PublicProvider {
  id: string;
  type: SsoType;
  name: string;
  loginUrl: string;
}

/** The login page's buttons: Community's one organization, or (SaaS) the organization of a slug. */
export async function publicProviders(input: { orgSlug?: string; community: boolean }): Promise<PublicProvider[]> {
  let orgId: string | null | undefined;
  if (input.community) {
    orgId = (await systemDb().$queryRaw<{ orgId: string }[]>`SELECT "orgId" FROM organization_ids()`)[0]?.orgId;
  } else if (input.orgSlug) {
    orgId = (await systemDb().$queryRaw<{ orgId: string | null }[]>`SELECT sso_org_by_slug(${input.orgSlug}) AS "orgId"`)[0]?.orgId;
  }
  if (!orgId) return [];
  const id = orgId;
  const rows = await withOrg(id, (tx) => tx.ssoProvider.findMany({ where: { orgId: id, type: { in: ["oidc", "ldap"] } }, select: { id: true, type: true, name: true }, orderBy: { name: "asc" } }));
  return rows.map((r) => ({ id: r.id, type: ssoType(r.type), name: r.name, loginUrl: providerUrls(r.id, ssoType(r.type)).loginUrl }));
}

/** Whether the organization refuses password logins (any provider with `enforced`). */
export async function ssoEnforced(orgId: string): Promise<boolean> {
  return (await withOrg(orgId, (tx) => tx.ssoProvider.count({ where: { orgId, enforced: true } }))) > 0;
}
