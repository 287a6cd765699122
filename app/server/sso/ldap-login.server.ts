// LDAP login: a username and password checked by binding to the directory (auth/ldap.server.ts),
// under the same throttle as password logins, then the common SSO sign-in step. The entry's DN is
// the subject; directory e-mail addresses are written by the directory's administrators, so they
// count as verified.
import type { Actor } from "../auth/require.server";
import { ldapAuthenticate, ldapCheckConnection, LdapAuthError, LdapUnavailableError } from "../auth/ldap.server";
import type { ClientMeta, LoginResult } from "../auth/login.server";
import { throttledGuess, throttleKeys } from "../auth/throttle.server";
import { auditInTx } from "../audit/audit.server";
import { withOrg } from "../db/client.server";
import { NotFoundError, ServiceUnavailableError, ThrottledError, UnauthorizedError } from "../errors.server";
import { auditSsoFailure, signInWithSso, SsoDeniedError } from "./sign-in.server";
import { ldapSettings, loadProvider, oidcSettings, providerForAdmin, providerUrls, type SsoProviderFull } from "./providers.server";
import { clientConfig } from "../auth/oidc.server";

const WRONG = "Wrong username or password.";

function settingsOf(p: SsoProviderFull) {
  const c = ldapSettings(p);
  return { ...c, bindPassword: c.bindPassword ?? "" };
}

export async function ldapLogin(providerId: string, input: { username: string; password: string }, meta: ClientMeta): Promise<LoginResult> {
  const p = await loadProvider(providerId);
  if (p.type !== "ldap") throw new NotFoundError("This provider does not take a username and password.");
  const keys = throttleKeys(`ldap:${p.id}:${input.username.toLowerCase()}`, meta.ip);
  let identity;
  try {
    identity = await throttledGuess(
      keys,
      async () => {
        try {
          return await ldapAuthenticate(settingsOf(p), input.username, input.password);
        } catch (error) {
          if (error instanceof LdapAuthError) return error;
          throw error;
        }
      },
      (r) => !(r instanceof LdapAuthError),
      { clearOnSuccess: keys[0] },
    );
  } catch (error) {
    if (error instanceof ThrottledError) {
      await auditSsoFailure(p, new SsoDeniedError("throttled", "throttled"), meta, { email: input.username }).catch(() => undefined);
      throw error;
    }
    if (error instanceof LdapUnavailableError) {
      await auditSsoFailure(p, error, meta, { email: input.username }).catch(() => undefined);
      throw new ServiceUnavailableError("The directory cannot be reached. Try again later, or ask an administrator.");
    }
    throw error;
  }
  if (identity instanceof LdapAuthError) {
    await auditSsoFailure(p, new SsoDeniedError(WRONG, `ldap: ${identity.message}`), meta, { email: input.username }).catch(() => undefined);
    throw new UnauthorizedError(WRONG);
  }
  return signInWithSso(p, { subject: identity.dn, email: identity.email, emailVerified: true, name: identity.name, groups: identity.groups, amr: [] }, meta);
}

/**
 * The admin's "Test": connects and binds the service account; with a username and password it
 * also performs a real login check and shows what the directory answered (nobody is logged in).
 */
export async function testLdapProvider(actor: Actor, p: SsoProviderFull, input: { username?: string; password?: string }): Promise<{ ok: boolean; message: string; attributes?: Record<string, unknown> }> {
  let result: { ok: boolean; message: string; attributes?: Record<string, unknown> };
  try {
    const message = await ldapCheckConnection(settingsOf(p));
    if (input.username && input.password) {
      const who = await ldapAuthenticate(settingsOf(p), input.username, input.password);
      result = { ok: true, message: `${message} ${input.username} logs in as ${who.dn}, groups: ${who.groups.join(", ") || "none"}.`, attributes: who.raw };
    } else result = { ok: true, message };
  } catch (error) {
    result = { ok: false, message: (error as Error).message };
  }
  await withOrg(actor.orgId, (tx) =>
    auditInTx(tx, { orgId: actor.orgId, action: "sso.provider.test", outcome: result.ok ? "success" : "failure", actorId: actor.userId, actorEmail: actor.email, ip: actor.ip, userAgent: actor.userAgent, targetType: "sso_provider", targetId: p.id, details: { message: result.message.slice(0, 300) } }),
  );
  return result;
}

export async function testProvider(actor: Actor, id: string, input: { username?: string; password?: string }) {
  const p = await providerForAdmin(actor, id);
  if (p.type === "ldap") return testLdapProvider(actor, p, input);
  return testOidcDiscovery(actor, p);
}

async function testOidcDiscovery(actor: Actor, p: SsoProviderFull): Promise<{ ok: boolean; message: string; testUrl?: string }> {
  const c = oidcSettings(p);
  let result: { ok: boolean; message: string; testUrl?: string };
  try {
    const config = await clientConfig({ issuer: c.issuer, clientId: c.clientId, clientSecret: c.clientSecret || undefined, idTokenAlg: c.idTokenAlg });
    const meta = config.serverMetadata();
    const s256 = (meta.code_challenge_methods_supported ?? []).includes("S256");
    result = {
      ok: true,
      message: `Discovered ${meta.issuer}${s256 ? " (PKCE S256 supported)" : " (the IdP does not advertise PKCE S256; it is sent anyway)"}. Register ${providerUrls(p.id, "oidc").callbackUrl} as the redirect URI, then open the test link to sign in once and see the claims.`,
      testUrl: `${providerUrls(p.id, "oidc").loginUrl}?test=1`,
    };
  } catch (error) {
    result = { ok: false, message: `Discovery failed: ${(error as Error).message}` };
  }
  await withOrg(actor.orgId, (tx) =>
    auditInTx(tx, { orgId: actor.orgId, action: "sso.provider.test", outcome: result.ok ? "success" : "failure", actorId: actor.userId, actorEmail: actor.email, ip: actor.ip, userAgent: actor.userAgent, targetType: "sso_provider", targetId: p.id, details: { message: result.message.slice(0, 300) } }),
  );
  return result;
}
