// OpenID Connect login, redirect and callback. The state, nonce and PKCE verifier of a login in
// flight live in PostgreSQL (SsoLoginState), so any replica can take the callback; the row is
// deleted by the statement that reads it (single use), expires after ten minutes, and is bound
// to the browser that started it by a cookie (no login CSRF: a victim cannot be made to finish
// an attacker's login).
import { parse as parseCookies, serialize } from "cookie";
import type { Actor } from "../auth/require.server";
import { finishAuthorization, OidcCheckError, startAuthorization } from "../auth/oidc.server";
import type { ClientMeta, LoginResult } from "../auth/login.server";
import { randomToken, seal, sha256Hex, unseal } from "../crypto.server";
import { systemDb } from "../db/client.server";
import { env } from "../env.server";
import { NotFoundError, ValidationError } from "../errors.server";
import { safeRedirectPath } from "../http/safe-redirect";
import { auditSsoFailure, signInWithSso, SsoDeniedError } from "./sign-in.server";
import { groupsFromClaim } from "./role-mapping";
import { loadProvider, oidcSettings, providerForAdmin, providerUrls, type SsoProviderFull } from "./providers.server";

export const SSO_BROWSER_COOKIE = "infrapilot_sso";
const STATE_TTL_MS = 10 * 60_000;
const COOKIE_PATH = "/api/v1/auth/sso";

function clientSettings(p: SsoProviderFull) {
  const c = oidcSettings(p);
  return { issuer: c.issuer, clientId: c.clientId, clientSecret: c.clientSecret || undefined, idTokenAlg: c.idTokenAlg };
}

function browserCookie(value: string, maxAgeSeconds: number): string {
  return serialize(SSO_BROWSER_COOKIE, value, { httpOnly: true, sameSite: "lax", secure: env().secureCookies, path: COOKIE_PATH, maxAge: maxAgeSeconds });
}

async function begin(p: SsoProviderFull, input: { redirectTo?: string | null; purpose: "login" | "test"; testerId?: string }, cookieHeader: string | null) {
  if (p.type !== "oidc") throw new NotFoundError("This provider does not sign in by redirect.");
  const settings = oidcSettings(p);
  const start = await startAuthorization(clientSettings(p), { redirectUri: providerUrls(p.id, "oidc").callbackUrl!, scopes: settings.scopes });
  // One browser token per browser, reused by parallel logins (two tabs) until it expires.
  const existing = parseCookies(cookieHeader ?? "")[SSO_BROWSER_COOKIE];
  const browser = existing && /^[A-Za-z0-9_-]{40,60}$/.test(existing) ? existing : randomToken(32);
  await systemDb().ssoLoginState.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  await systemDb().ssoLoginState.create({
    data: {
      id: sha256Hex(start.state),
      providerId: p.id,
      nonce: start.nonce,
      codeVerifier: seal(start.codeVerifier),
      browserHash: sha256Hex(browser),
      redirectTo: input.redirectTo ? safeRedirectPath(input.redirectTo) : null,
      purpose: input.purpose,
      testerId: input.testerId ?? null,
      expiresAt: new Date(Date.now() + STATE_TTL_MS),
    },
  });
  return { url: start.url, cookie: browserCookie(browser, STATE_TTL_MS / 1000) };
}

/** GET …/login: the redirect to the IdP and the cookie that binds the login to this browser. */
export async function beginOidcLogin(providerId: string, input: { redirectTo?: string | null }, cookieHeader: string | null): Promise<{ url: string; cookie: string }> {
  return begin(await loadProvider(providerId), { ...input, purpose: "login" }, cookieHeader);
}

/** The admin's "Test": a real round trip whose callback shows the claims and logs nobody in. */
export async function beginOidcTest(actor: Actor, providerId: string, cookieHeader: string | null): Promise<{ url: string; cookie: string }> {
  return begin(await providerForAdmin(actor, providerId), { purpose: "test", testerId: actor.userId }, cookieHeader);
}

export type OidcCallbackResult =
  | { kind: "login"; result: LoginResult; redirectTo: string }
  | { kind: "test"; testerId: string; claims: Record<string, unknown>; groups: string[]; providerName: string };

/**
 * GET …/callback. `search` is the query string the browser arrived with; it is checked against
 * the provider's registered redirect URI (PUBLIC_URL), never the URL this request reached us on.
 */
export async function finishOidcLogin(providerId: string, search: string, cookieHeader: string | null, meta: ClientMeta): Promise<OidcCallbackResult> {
  const p = await loadProvider(providerId);
  if (p.type !== "oidc") throw new NotFoundError("This provider does not sign in by redirect.");
  const params = new URLSearchParams(search);
  const state = params.get("state");
  if (!state || state.length > 200) return auditSsoFailure(p, new SsoDeniedError("The sign-in response has no state. Start again from the login page.", "missing state"), meta);

  // Single use across replicas: the row is deleted by the statement that finds it.
  const [row] = await systemDb().$queryRaw<{ providerId: string; nonce: string; codeVerifier: string; browserHash: string; redirectTo: string | null; purpose: string; testerId: string | null }[]>`
    DELETE FROM "SsoLoginState" WHERE "id" = ${sha256Hex(state)} AND "expiresAt" > now()
    RETURNING "providerId", "nonce", "codeVerifier", "browserHash", "redirectTo", "purpose", "testerId"`;
  if (!row) return auditSsoFailure(p, new SsoDeniedError("This sign-in has expired or was already used. Start again from the login page.", "unknown, used or expired state"), meta);
  if (row.providerId !== p.id) return auditSsoFailure(p, new SsoDeniedError("This sign-in response belongs to another provider.", "state of another provider"), meta);
  const browser = parseCookies(cookieHeader ?? "")[SSO_BROWSER_COOKIE];
  if (!browser || sha256Hex(browser) !== row.browserHash) {
    return auditSsoFailure(p, new SsoDeniedError("This sign-in was started in another browser. Start again from the login page.", "state not bound to this browser"), meta);
  }
  const idpError = params.get("error");
  if (idpError) {
    const description = (params.get("error_description") ?? "").slice(0, 200);
    return auditSsoFailure(p, new SsoDeniedError("Your identity provider did not sign you in.", `idp error: ${idpError.slice(0, 100)}${description ? ` (${description})` : ""}`), meta);
  }

  let claims;
  try {
    const callbackUrl = new URL(providerUrls(p.id, "oidc").callbackUrl!);
    callbackUrl.search = search;
    claims = await finishAuthorization(clientSettings(p), { callbackUrl, expectedState: state, expectedNonce: row.nonce, codeVerifier: unseal(row.codeVerifier) });
  } catch (error) {
    const denied = error instanceof OidcCheckError ? new SsoDeniedError("The identity provider's answer did not pass the checks.", `oidc check: ${error.message}`) : error;
    return auditSsoFailure(p, denied, meta);
  }
  const groups = groupsFromClaim(claims.raw[oidcSettings(p).groupsClaim]);
  if (row.purpose === "test") {
    if (!row.testerId) throw new ValidationError("Broken test state.");
    return { kind: "test", testerId: row.testerId, claims: claims.raw, groups, providerName: p.name };
  }
  const result = await signInWithSso(p, { subject: claims.subject, email: claims.email, emailVerified: claims.emailVerified, name: claims.name, groups, amr: claims.amr }, meta);
  return { kind: "login", result, redirectTo: row.redirectTo ?? "/dashboard" };
}

/** Clears the browser-binding cookie once a login finished. */
export function clearBrowserCookie(): string {
  return browserCookie("", 0);
}
