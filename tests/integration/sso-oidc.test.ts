// OpenID Connect login against a real OpenID provider (npm `oidc-provider`, started here on
// loopback) and a real Postgres: the whole authorization-code flow with PKCE, JIT provisioning,
// linking by verified e-mail, group → role mapping at every login, TOTP interplay, SSO
// enforcement with the break-glass owner, and each attack of issue 15 built on genuine tokens.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { setupTestDb, type TestDb } from "../setup/db";
import { CookieJar, followUntil, startTestIdp, type TestIdp } from "../setup/oidc-provider";
import { login } from "~/server/auth/login.server";
import { actorFromSessionToken, type Actor } from "~/server/auth/require.server";
import { completeSetup } from "~/server/auth/setup.server";
import { ForbiddenError, NotFoundError, ValidationError } from "~/server/errors.server";
import { createProvider, deleteProvider, getProvider, listProviders, publicProviders, updateProvider, type SsoProviderDto } from "~/server/sso/providers.server";
import { beginOidcLogin, finishOidcLogin, SSO_BROWSER_COOKIE, type OidcCallbackResult } from "~/server/sso/oidc-login.server";
import { SsoDeniedError } from "~/server/sso/sign-in.server";
import { createUser, updateUser } from "~/server/users/users.server";
import { CreateSsoProviderSchema } from "~/validation/sso";

let db: TestDb;
let idp: TestIdp;
let admin: Actor;
let provider: SsoProviderDto;
const meta = { ip: "203.0.113.9", userAgent: "vitest", clientIsLocal: true };
const OWNER = { email: "owner@example.com", name: "Olga Owner", password: "correct horse battery staple" };
const SECRET = "s3cret-client-secret-value-0123456789";

function cookieValue(setCookie: string): string {
  return setCookie.split(";")[0]!.split("=").slice(1).join("=");
}

async function ownerActor(): Promise<Actor> {
  const r = await login({ email: OWNER.email, password: OWNER.password }, meta);
  if (r.mfaRequired) throw new Error("owner has MFA");
  return { ...(await actorFromSessionToken(cookieValue(r.cookie)))!.actor, ip: meta.ip };
}

/** Starts a login as a fresh browser would, lets the IdP log `accountId` in, and stops at our callback. */
async function reachCallback(p: SsoProviderDto, accountId: string, amr?: string[]): Promise<{ search: string; cookie: string }> {
  idp.nextLogin = { accountId, amr };
  const jar = new CookieJar();
  const started = await beginOidcLogin(p.id, { redirectTo: "/containers" }, null);
  const callback = await followUntil(started.url, p.callbackUrl!, jar);
  return { search: callback.search, cookie: `${SSO_BROWSER_COOKIE}=${cookieValue(started.cookie)}` };
}

async function ssoLogin(p: SsoProviderDto, accountId: string, amr?: string[]): Promise<OidcCallbackResult> {
  const { search, cookie } = await reachCallback(p, accountId, amr);
  return finishOidcLogin(p.id, search, cookie, meta);
}

async function sessionOf(done: OidcCallbackResult): Promise<{ token: string; actor: Actor }> {
  if (done.kind !== "login" || done.result.mfaRequired) throw new Error(`expected a session, got ${JSON.stringify(done)}`);
  const token = cookieValue(done.result.cookie);
  return { token, actor: (await actorFromSessionToken(token))!.actor };
}

async function denial(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SsoDeniedError);
  return (error as SsoDeniedError).reason;
}

async function lastAudit(action: string) {
  const { rows } = await db.admin.query(`SELECT outcome, details, "actorEmail" FROM "AuditLog" WHERE action = $1 ORDER BY id DESC LIMIT 1`, [action]);
  return rows[0] as { outcome: string; details: Record<string, unknown>; actorEmail: string | null };
}

beforeAll(async () => {
  db = await setupTestDb();
  await completeSetup(OWNER, meta);
  admin = await ownerActor();
  idp = await startTestIdp({
    accounts: {
      "alice-sub": { email: "alice@example.com", email_verified: true, name: "Alice Ops", groups: ["ops"] },
      "bob-sub": { email: "bob@example.com", email_verified: true, name: "Bob", groups: [] },
      "mallory-sub": { email: "owner@example.com", email_verified: false, name: "Mallory", groups: ["admins"] },
      "carol-sub": { email: "carol@example.com", email_verified: false, name: "Carol", groups: [] },
      "dave-sub": { email: "dave@example.com", email_verified: true, name: "Dave", groups: [] },
    },
  });
  provider = await createProvider(admin, {
    type: "oidc",
    name: "Test IdP",
    config: { issuer: idp.issuer, clientId: "infrapilot", clientSecret: SECRET, scopes: "openid email profile groups", groupsClaim: "groups", idTokenAlg: "RS256" },
    groupRoleMap: [
      { group: "admins", role: "admin" },
      { group: "ops", role: "operator" },
    ],
    defaultRole: "viewer",
    jit: true,
    enforced: false,
  });
  idp.addClient({ client_id: "infrapilot", client_secret: SECRET, redirect_uris: [provider.callbackUrl!] });
});

afterAll(async () => {
  await idp?.stop();
  await db?.close();
});

beforeEach(() => {
  idp.tamper = null;
});

describe("providers", () => {
  test("the provider is returned without its secret, with the redirect URI to register, and the secret is sealed at rest", async () => {
    expect(provider).toMatchObject({ type: "oidc", name: "Test IdP", secrets: { clientSecret: true }, jit: true, defaultRole: "viewer" });
    expect(provider.callbackUrl).toMatch(new RegExp(`/api/v1/auth/sso/${provider.id}/callback$`));
    expect(provider.loginUrl).toMatch(new RegExp(`/api/v1/auth/sso/${provider.id}/login$`));
    expect(JSON.stringify(provider)).not.toContain(SECRET);
    expect(JSON.stringify(await listProviders(admin))).not.toContain(SECRET);
    const { rows } = await db.admin.query(`SELECT * FROM "SsoProvider"`);
    expect(JSON.stringify(rows)).not.toContain(SECRET);
  });

  test("the login page lists it publicly (id, type, name, login URL only)", async () => {
    expect(await publicProviders({ community: true })).toEqual([{ id: provider.id, type: "oidc", name: "Test IdP", loginUrl: provider.loginUrl }]);
  });

  test("bad settings are field errors: SAML is not available, super_admin cannot be mapped, scopes need openid, the issuer must be a plain URL", () => {
    const base = { name: "x", config: { issuer: "https://idp.example.com", clientId: "c" } };
    expect(CreateSsoProviderSchema.safeParse({ ...base, type: "saml" }).success).toBe(false);
    expect(CreateSsoProviderSchema.safeParse({ ...base, type: "oidc", groupRoleMap: [{ group: "g", role: "super_admin" }] }).success).toBe(false);
    expect(CreateSsoProviderSchema.safeParse({ ...base, type: "oidc", defaultRole: "super_admin" }).success).toBe(false);
    expect(CreateSsoProviderSchema.safeParse({ ...base, type: "oidc", config: { ...base.config, scopes: "email profile" } }).success).toBe(false);
    expect(CreateSsoProviderSchema.safeParse({ ...base, type: "oidc", config: { ...base.config, issuer: "https://u:p@idp.example.com" } }).success).toBe(false);
    expect(CreateSsoProviderSchema.safeParse({ ...base, type: "oidc", config: { ...base.config, issuer: "javascript:alert(1)" } }).success).toBe(false);
    expect(CreateSsoProviderSchema.safeParse({ ...base, type: "oidc" }).success).toBe(true);
  });

  test("a PATCH of the config keeps the secret unless it is sent, and is audited", async () => {
    const updated = await updateProvider(admin, provider.id, { config: { scopes: "openid email profile groups" } });
    expect(updated.secrets.clientSecret).toBe(true);
    expect((await lastAudit("sso.provider.update")).details).toMatchObject({ changed: ["config.scopes"] });
    await expect(updateProvider(admin, provider.id, { config: { issuer: "not a url" } })).rejects.toMatchObject({ fields: { "config.issuer": expect.any(String) } });
  });

  test("members without manage:settings cannot see or change providers", async () => {
    const viewer = { ...admin, role: "viewer" as const };
    await expect(listProviders(viewer)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getProvider(viewer, provider.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(deleteProvider(viewer, provider.id)).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe("login", () => {
  test("a new person with a verified e-mail is provisioned with the role of their group, and lands where they were going", async () => {
    const done = await ssoLogin(provider, "alice-sub");
    expect(done).toMatchObject({ kind: "login", redirectTo: "/containers", result: { mfaRequired: false, user: { email: "alice@example.com", name: "Alice Ops", role: "operator" } } });
    const { actor } = await sessionOf(done);
    expect(actor).toMatchObject({ email: "alice@example.com", role: "operator", orgId: admin.orgId });
    const audit = await lastAudit("auth.sso.login");
    expect(audit).toMatchObject({ outcome: "success", actorEmail: "alice@example.com", details: { provider: "Test IdP", type: "oidc", account: "provisioned", role: "operator", groups: ["ops"] } });
  });

  test("the group mapping is re-applied at every login; a demotion cuts the member's open sessions", async () => {
    idp.accounts.get("alice-sub")!.groups = ["ops", "admins"];
    const asAdmin = await sessionOf(await ssoLogin(provider, "alice-sub"));
    expect(asAdmin.actor.role).toBe("admin");

    idp.accounts.get("alice-sub")!.groups = [];
    const demoted = await sessionOf(await ssoLogin(provider, "alice-sub"));
    expect(demoted.actor.role).toBe("viewer");
    expect(await actorFromSessionToken(asAdmin.token)).toBeNull();
    expect((await lastAudit("user.role.sso")).details).toMatchObject({ from: "admin", to: "viewer" });
  });

  test("an existing member is linked by a verified e-mail, and keeps being matched by subject afterwards", async () => {
    await createUser(admin, { email: "bob@example.com", name: "Bob", password: "a long bob passphrase", role: "operator" });
    const done = await ssoLogin(provider, "bob-sub");
    expect(done).toMatchObject({ kind: "login", result: { user: { email: "bob@example.com", role: "viewer" } } });
    expect((await lastAudit("auth.sso.login")).details).toMatchObject({ account: "linked" });
    // The IdP changes Bob's address: the subject still finds the same account.
    idp.accounts.get("bob-sub")!.email = "robert@example.com";
    const again = await ssoLogin(provider, "bob-sub");
    expect(again).toMatchObject({ result: { user: { email: "bob@example.com" } } });
    expect((await lastAudit("auth.sso.login")).details).toMatchObject({ account: "known" });
  });

  test("an unverified e-mail never takes over an existing account (not even the owner's)", async () => {
    expect(await denial(ssoLogin(provider, "mallory-sub"))).toBe("email not verified");
    expect(await lastAudit("auth.sso.login")).toMatchObject({ outcome: "denied", details: { reason: "email not verified", subject: "mallory-sub" } });
  });

  test("an unverified e-mail does not get a JIT account either", async () => {
    expect(await denial(ssoLogin(provider, "carol-sub"))).toBe("email not verified");
  });

  test("with JIT off, an unknown person is refused", async () => {
    await updateProvider(admin, provider.id, { jit: false });
    try {
      expect(await denial(ssoLogin(provider, "dave-sub"))).toBe("no account (JIT off)");
    } finally {
      await updateProvider(admin, provider.id, { jit: true });
    }
  });

  test("a disabled account is refused", async () => {
    const dave = (await ssoLogin(provider, "dave-sub")) as Extract<OidcCallbackResult, { kind: "login" }>;
    const userId = (dave.result as { user: { id: string } }).user.id;
    await updateUser(admin, userId, { disabled: true });
    expect(await denial(ssoLogin(provider, "dave-sub"))).toBe("account disabled");
  });

  test("a user with TOTP gets the TOTP step, unless the IdP asserts it checked a second factor", async () => {
    await ssoLogin(provider, "alice-sub");
    const updated = await db.admin.query(`UPDATE "User" SET "mfaEnabled" = true WHERE email = 'alice@example.com'`);
    expect(updated.rowCount).toBe(1);
    try {
      expect(await ssoLogin(provider, "alice-sub")).toMatchObject({ kind: "login", result: { mfaRequired: true, challenge: expect.any(String) } });
      expect(await ssoLogin(provider, "alice-sub", ["pwd", "otp"])).toMatchObject({ kind: "login", result: { mfaRequired: false } });
      expect((await lastAudit("auth.sso.login")).details).toMatchObject({ idpMfa: true });
    } finally {
      await db.admin.query(`UPDATE "User" SET "mfaEnabled" = false WHERE email = 'alice@example.com'`);
    }
  });

  test("a public client (no secret) logs in with PKCE alone", async () => {
    const pub = await createProvider(admin, {
      type: "oidc",
      name: "Public client",
      config: { issuer: idp.issuer, clientId: "infrapilot-public", scopes: "openid email profile groups", groupsClaim: "groups", idTokenAlg: "RS256" },
      groupRoleMap: [],
      defaultRole: "viewer",
      jit: true,
      enforced: false,
    });
    idp.addClient({ client_id: "infrapilot-public", redirect_uris: [pub.callbackUrl!] });
    expect(pub.secrets.clientSecret).toBe(false);
    expect(await ssoLogin(pub, "alice-sub")).toMatchObject({ kind: "login", result: { user: { email: "alice@example.com" } } });
    await deleteProvider(admin, pub.id);
    await expect(beginOidcLogin(pub.id, {}, null)).rejects.toBeInstanceOf(NotFoundError);
  });

  test("the authorization request carries PKCE S256, state and nonce", async () => {
    const started = await beginOidcLogin(provider.id, {}, null);
    const url = new URL(started.url);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(url.searchParams.get("nonce")).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(url.searchParams.get("redirect_uri")).toBe(provider.callbackUrl);
    expect(started.cookie).toMatch(/HttpOnly/i);
    expect(started.cookie).toMatch(/SameSite=Lax/i);
  });
});

describe("attacks", () => {
  test("a wrong state is refused", async () => {
    const { search, cookie } = await reachCallback(provider, "alice-sub");
    const forged = new URLSearchParams(search);
    forged.set("state", "A".repeat(43));
    expect(await denial(finishOidcLogin(provider.id, `?${forged}`, cookie, meta))).toBe("unknown, used or expired state");
  });

  test("a replayed callback (same code and state) is refused, and the IdP is not even asked again", async () => {
    const { search, cookie } = await reachCallback(provider, "alice-sub");
    await finishOidcLogin(provider.id, search, cookie, meta);
    const before = idp.tokenRequests;
    expect(await denial(finishOidcLogin(provider.id, search, cookie, meta))).toBe("unknown, used or expired state");
    expect(idp.tokenRequests).toBe(before);
  });

  test("a used code replayed with a fresh state of this browser is refused (PKCE verifier and the IdP's single-use code)", async () => {
    const first = await reachCallback(provider, "alice-sub");
    await finishOidcLogin(provider.id, first.search, first.cookie, meta);
    const second = await reachCallback(provider, "alice-sub");
    const mixed = new URLSearchParams(second.search);
    mixed.set("code", new URLSearchParams(first.search).get("code")!);
    expect(await denial(finishOidcLogin(provider.id, `?${mixed}`, second.cookie, meta))).toMatch(/^oidc check: .*invalid_grant/);
  });

  test("a callback finished in another browser (login CSRF) is refused", async () => {
    const { search } = await reachCallback(provider, "alice-sub");
    expect(await denial(finishOidcLogin(provider.id, search, `${SSO_BROWSER_COOKIE}=${"x".repeat(43)}`, meta))).toBe("state not bound to this browser");
    const again = await reachCallback(provider, "alice-sub");
    expect(await denial(finishOidcLogin(provider.id, again.search, null, meta))).toBe("state not bound to this browser");
  });

  test("an expired state is refused", async () => {
    const { search, cookie } = await reachCallback(provider, "alice-sub");
    await db.admin.query(`UPDATE "SsoLoginState" SET "expiresAt" = now() - interval '1 second'`);
    expect(await denial(finishOidcLogin(provider.id, search, cookie, meta))).toBe("unknown, used or expired state");
  });

  test("a state started for another provider is refused at this provider's callback", async () => {
    const other = await createProvider(admin, {
      type: "oidc",
      name: "Other",
      config: { issuer: idp.issuer, clientId: "infrapilot", clientSecret: SECRET, scopes: "openid", groupsClaim: "groups", idTokenAlg: "RS256" },
      groupRoleMap: [],
      defaultRole: "viewer",
      jit: false,
      enforced: false,
    });
    try {
      const { search, cookie } = await reachCallback(provider, "alice-sub");
      expect(await denial(finishOidcLogin(other.id, search, cookie, meta))).toBe("state of another provider");
    } finally {
      await deleteProvider(admin, other.id);
    }
  });

  test("an ID token with another nonce (a replayed token) is refused", async () => {
    idp.tamper = (p) => ({ payload: { ...p, nonce: "replayed-nonce-from-an-earlier-login" } });
    expect(await denial(ssoLogin(provider, "alice-sub"))).toMatch(/^oidc check: .*nonce/i);
  });

  test("an ID token for another audience is refused", async () => {
    idp.tamper = (p) => ({ payload: { ...p, aud: "some-other-client" } });
    expect(await denial(ssoLogin(provider, "alice-sub"))).toMatch(/^oidc check: .*aud/i);
  });

  test("an ID token from another issuer (mix-up) is refused", async () => {
    idp.tamper = (p) => ({ payload: { ...p, iss: "https://evil.example" } });
    expect(await denial(ssoLogin(provider, "alice-sub"))).toMatch(/^oidc check: .*iss/i);
  });

  test("an authorization response naming another issuer (RFC 9207 mix-up) is refused", async () => {
    const { search, cookie } = await reachCallback(provider, "alice-sub");
    const params = new URLSearchParams(search);
    expect(params.get("iss")).toBe(idp.issuer);
    params.set("iss", "https://evil.example");
    expect(await denial(finishOidcLogin(provider.id, `?${params}`, cookie, meta))).toMatch(/^oidc check: .*iss/i);
  });

  test("an unsigned ID token (alg: none) is refused", async () => {
    idp.tamper = (p) => ({ payload: p, alg: "none" });
    expect(await denial(ssoLogin(provider, "alice-sub"))).toMatch(/^oidc check: .*alg/i);
  });

  test("an HS256 token keyed with the provider's public key (key confusion) is refused", async () => {
    idp.tamper = (p) => ({ payload: p, alg: "HS256-public-key" });
    expect(await denial(ssoLogin(provider, "alice-sub"))).toMatch(/^oidc check: .*alg/i);
  });

  test("an expired ID token is refused", async () => {
    idp.tamper = (p) => ({ payload: { ...p, exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 } });
    expect(await denial(ssoLogin(provider, "alice-sub"))).toMatch(/^oidc check: .*(exp|timestamp)/i);
  });

  test("an error from the IdP is a refusal with its reason in the audit trail", async () => {
    const started = await beginOidcLogin(provider.id, {}, null);
    const state = new URL(started.url).searchParams.get("state")!;
    const reason = await denial(finishOidcLogin(provider.id, `?error=access_denied&error_description=user+cancelled&state=${state}`, `${SSO_BROWSER_COOKIE}=${cookieValue(started.cookie)}`, meta));
    expect(reason).toBe("idp error: access_denied (user cancelled)");
  });

  test("every refusal above is in the audit trail as denied, none as a login", async () => {
    const { rows } = await db.admin.query(`SELECT outcome, count(*)::int AS n FROM "AuditLog" WHERE action = 'auth.sso.login' GROUP BY outcome`);
    const by = Object.fromEntries(rows.map((r: { outcome: string; n: number }) => [r.outcome, r.n]));
    expect(by.denied).toBeGreaterThanOrEqual(14);
  });
});

describe("SSO enforced", () => {
  test("password login is refused for members, while the owner's break-glass login works and is audited", async () => {
    await createUser(admin, { email: "erin@example.com", name: "Erin", password: "a long erin passphrase", role: "admin" });
    await updateProvider(admin, provider.id, { enforced: true });
    try {
      await expect(login({ email: "erin@example.com", password: "a long erin passphrase" }, meta)).rejects.toBeInstanceOf(ForbiddenError);
      expect(await lastAudit("auth.login")).toMatchObject({ outcome: "denied", details: { reason: "sso enforced" } });
      await expect(login({ email: OWNER.email, password: OWNER.password }, meta)).resolves.toMatchObject({ mfaRequired: false });
      expect(await lastAudit("auth.login")).toMatchObject({ outcome: "success", details: { breakGlass: true } });
    } finally {
      await updateProvider(admin, provider.id, { enforced: false });
    }
  });

  test("an invalid provider id is a 404, never a database error", async () => {
    await expect(beginOidcLogin("not-a-uuid", {}, null)).rejects.toBeInstanceOf(NotFoundError);
    await expect(beginOidcLogin("00000000-0000-0000-0000-000000000000", {}, null)).rejects.toBeInstanceOf(NotFoundError);
    await expect(updateProvider(admin, provider.id, { config: { issuer: "ftp://x" } })).rejects.toBeInstanceOf(ValidationError);
  });
});
