// The only module that talks to openid-client (OpenID Connect relying party). It discovers an
// issuer, builds the authorization redirect (PKCE S256, state, nonce) and turns the callback into
// verified claims. Every check the library makes is kept on: state, nonce, PKCE, issuer (also the
// RFC 9207 `iss` response parameter when the IdP sends it), audience, expiry, the ID token's
// `alg` (never `none`; only the configured asymmetric one). Claims from the userinfo endpoint are
// added to the ID token's, never the other way round.
import * as oidc from "openid-client";
import { env } from "../env.server";
import { ValidationError } from "../errors.server";

export interface OidcClientSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** The ID token signature algorithm to accept (default RS256). */
  idTokenAlg?: string;
}

export interface OidcClaims {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  /** Everything the IdP sent (ID token, then userinfo), for the admin's "Test". */
  raw: Record<string, unknown>;
  /** The `amr` values (how the user authenticated at the IdP). */
  amr: string[];
}

/** Whether a plain-http issuer may be used: never in production (the token endpoint's TLS is what vouches for the ID token). */
export function insecureIssuerAllowed(): boolean {
  return env().NODE_ENV !== "production";
}

const DISCOVERY_TTL_MS = 10 * 60_000;
const cache = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

function cacheKey(s: OidcClientSettings): string {
  return JSON.stringify([s.issuer, s.clientId, s.clientSecret ?? "", s.idTokenAlg ?? ""]);
}

/** The issuer's metadata and this client's settings, discovered once per ten minutes per provider setting. */
export function clientConfig(settings: OidcClientSettings): Promise<oidc.Configuration> {
  const key = cacheKey(settings);
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
  const config = discover(settings);
  cache.set(key, { at: Date.now(), config });
  config.catch(() => cache.delete(key));
  return config;
}

async function discover(s: OidcClientSettings): Promise<oidc.Configuration> {
  const url = new URL(s.issuer);
  const insecure = url.protocol === "http:";
  if (insecure && !insecureIssuerAllowed()) throw new ValidationError("The issuer must use https:// in production.", { "config.issuer": "Use https://." });
  const metadata: Partial<oidc.ClientMetadata> = { id_token_signed_response_alg: s.idTokenAlg ?? "RS256" };
  if (s.clientSecret) metadata.client_secret = s.clientSecret;
  const auth = s.clientSecret ? oidc.ClientSecretBasic(s.clientSecret) : oidc.None();
  return oidc.discovery(url, s.clientId, metadata, auth, { timeout: 10, ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) });
}

export interface AuthorizationStart {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The redirect to the IdP, with fresh state, nonce and PKCE verifier (the caller keeps them). */
export async function startAuthorization(settings: OidcClientSettings, input: { redirectUri: string; scopes: string }): Promise<AuthorizationStart> {
  const config = await clientConfig(settings);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: input.redirectUri,
    scope: input.scopes,
    response_type: "code",
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  return { url: url.href, state, nonce, codeVerifier };
}

/** Thrown when the IdP's answer fails a check: the message is safe to log and audit, not to trust. */
export class OidcCheckError extends Error {}

/** Exchanges the code and validates everything; the callback URL is the one the browser arrived at. */
export async function finishAuthorization(
  settings: OidcClientSettings,
  input: { callbackUrl: URL; expectedState: string; expectedNonce: string; codeVerifier: string },
): Promise<OidcClaims> {
  const config = await clientConfig(settings);
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(config, input.callbackUrl, {
      pkceCodeVerifier: input.codeVerifier,
      expectedState: input.expectedState,
      expectedNonce: input.expectedNonce,
      idTokenExpected: true,
    });
  } catch (error) {
    throw new OidcCheckError(describe(error));
  }
  const idClaims = tokens.claims();
  if (!idClaims) throw new OidcCheckError("The IdP returned no ID token.");
  let raw: Record<string, unknown> = { ...idClaims };
  if (config.serverMetadata().userinfo_endpoint && tokens.access_token) {
    try {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      // The ID token's claims win: userinfo only adds (groups, email_verified, name…).
      raw = { ...info, ...idClaims };
    } catch (error) {
      throw new OidcCheckError(`userinfo: ${describe(error)}`);
    }
  }
  const email = typeof raw.email === "string" ? raw.email.trim().toLowerCase() : null;
  return {
    subject: idClaims.sub,
    email,
    emailVerified: raw.email_verified === true || raw.email_verified === "true",
    name: typeof raw.name === "string" ? raw.name : null,
    raw,
    amr: Array.isArray(raw.amr) ? raw.amr.filter((x): x is string => typeof x === "string") : [],
  };
}

/** The whole cause chain (openid-client wraps oauth4webapi's error, which names the claim or parameter). */
function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: string }).code;
      parts.push(`${code ? `${code}: ` : ""}${current.message}`);
      current = (current as { cause?: unknown }).cause;
    } else if (typeof current === "object") {
      const c = current as Record<string, unknown>;
      const fields = ["error", "error_description", "claim", "parameter", "expected"]
        .filter((k) => typeof c[k] === "string" || typeof c[k] === "number")
        .map((k) => `${k}=${String(c[k]).slice(0, 120)}`);
      if (fields.length) parts.push(fields.join(", "));
      current = null;
    } else {
      parts.push(String(current));
      current = null;
    }
  }
  return parts.join(" ← ").slice(0, 500);
}

/** Forgets discovered metadata (a provider was edited or deleted). */
export function forgetClientConfig(): void {
  cache.clear();
}
