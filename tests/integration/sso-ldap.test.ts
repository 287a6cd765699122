// LDAP login against a real OpenLDAP (`slapd`, started here on loopback over LDAPS and StartTLS,
// with a CA made by the test) and a real Postgres: bind and search, group → role mapping (group
// search and memberOf), JIT, and the security cases of issue 15 — filter injection, the empty
// password (an unauthenticated bind this directory accepts), certificate checks, a deleted or
// disabled account.
import { Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setupTestDb, type TestDb } from "../setup/db";
import { groupLdif, LDAP_BASE, LDAP_READER, personLdif, startSlapd, type TestSlapd } from "../setup/slapd";
import { login } from "~/server/auth/login.server";
import { actorFromSessionToken, type Actor } from "~/server/auth/require.server";
import { completeSetup } from "~/server/auth/setup.server";
import { ServiceUnavailableError, UnauthorizedError } from "~/server/errors.server";
import { ldapLogin, testProvider } from "~/server/sso/ldap-login.server";
import { createProvider, updateProvider, type SsoProviderDto } from "~/server/sso/providers.server";
import { updateUser } from "~/server/users/users.server";
import { CreateSsoProviderSchema, type LdapConfig } from "~/validation/sso";

let db: TestDb;
let slapd: TestSlapd;
let admin: Actor;
let provider: SsoProviderDto;
const meta = { ip: "203.0.113.10", userAgent: "vitest", clientIsLocal: true };
const OWNER = { email: "owner@example.com", name: "Olga Owner", password: "correct horse battery staple" };
const PASSWORDS = { alice: "alice-directory-password", bob: "bob-directory-password", eve: "eve-directory-password" };

function cookieValue(setCookie: string): string {
  return setCookie.split(";")[0]!.split("=").slice(1).join("=");
}

async function actorOf(cookie: string): Promise<Actor> {
  return (await actorFromSessionToken(cookieValue(cookie)))!.actor;
}

async function loggedIn(username: string, password: string): Promise<Actor> {
  const r = await ldapLogin(provider.id, { username, password }, meta);
  if (r.mfaRequired) throw new Error("unexpected MFA step");
  return actorOf(r.cookie);
}

async function lastSsoAudit() {
  const { rows } = await db.admin.query(`SELECT outcome, details FROM "AuditLog" WHERE action = 'auth.sso.login' ORDER BY id DESC LIMIT 1`);
  return rows[0] as { outcome: string; details: Record<string, unknown> };
}

function config(overrides: Partial<LdapConfig> = {}): LdapConfig {
  return {
    url: slapd.ldapsUrl,
    startTls: false,
    caCertPem: slapd.caPem,
    bindDn: LDAP_READER.dn,
    bindPassword: LDAP_READER.password,
    userBase: `ou=people,${LDAP_BASE}`,
    userFilter: "(uid={username})",
    emailAttribute: "mail",
    nameAttribute: "cn",
    groupBase: `ou=groups,${LDAP_BASE}`,
    groupFilter: "(member={dn})",
    allowPlainLdap: false,
    ...overrides,
  };
}

async function newProvider(name: string, overrides: Partial<LdapConfig> = {}): Promise<SsoProviderDto> {
  return createProvider(admin, {
    type: "ldap",
    name,
    config: config(overrides),
    groupRoleMap: [
      { group: "infra-admins", role: "admin" },
      { group: "infra-ops", role: "operator" },
    ],
    defaultRole: "viewer",
    jit: true,
    enforced: false,
  });
}

beforeAll(async () => {
  const people = await Promise.all([
    personLdif("alice", { cn: "Alice Admin", mail: "alice@example.com", password: PASSWORDS.alice }),
    personLdif("bob", { cn: "Bob Ops", mail: "bob@example.com", password: PASSWORDS.bob }),
    personLdif("eve", { cn: "Eve Nogroup", mail: "eve@example.com", password: PASSWORDS.eve }),
  ]);
  slapd = await startSlapd([...people, groupLdif("infra-admins", ["alice"]), groupLdif("infra-ops", ["bob", "alice"])].join("\n"));
  db = await setupTestDb();
  await completeSetup(OWNER, meta);
  const r = await login({ email: OWNER.email, password: OWNER.password }, meta);
  if (r.mfaRequired) throw new Error("owner has MFA");
  admin = { ...(await actorOf(r.cookie)), ip: meta.ip };
  provider = await newProvider("Directory");
});

afterAll(async () => {
  await slapd?.stop();
  await db?.close();
});

describe("login", () => {
  test("a directory user logs in over LDAPS, is provisioned, and gets the highest role of their groups", async () => {
    const alice = await loggedIn("alice", PASSWORDS.alice);
    expect(alice).toMatchObject({ email: "alice@example.com", name: "Alice Admin", role: "admin" });
    const audit = await lastSsoAudit();
    expect(audit).toMatchObject({ outcome: "success", details: { type: "ldap", account: "provisioned", subject: `uid=alice,ou=people,${LDAP_BASE}` } });
    expect((audit.details.groups as string[]).sort()).toEqual(["infra-admins", "infra-ops"]);
    expect(await loggedIn("bob", PASSWORDS.bob)).toMatchObject({ role: "operator" });
    expect(await loggedIn("eve", PASSWORDS.eve)).toMatchObject({ role: "viewer" });
  });

  test("the provider's bind password is never returned and is sealed at rest", async () => {
    expect(provider.secrets).toEqual({ bindPassword: true });
    expect(JSON.stringify(provider)).not.toContain(LDAP_READER.password);
    const { rows } = await db.admin.query(`SELECT * FROM "SsoProvider"`);
    expect(JSON.stringify(rows)).not.toContain(LDAP_READER.password);
  });

  test("removed from the admin group, the user is an operator at the next login and their admin sessions end", async () => {
    const before = await ldapLogin(provider.id, { username: "alice", password: PASSWORDS.alice }, meta);
    if (before.mfaRequired) throw new Error("unexpected MFA");
    await slapd.ldap("ldapmodify", `dn: cn=infra-admins,ou=groups,${LDAP_BASE}\nchangetype: modify\nadd: member\nmember: uid=eve,ou=people,${LDAP_BASE}\n-\ndelete: member\nmember: uid=alice,ou=people,${LDAP_BASE}\n`);
    expect(await loggedIn("alice", PASSWORDS.alice)).toMatchObject({ role: "operator" });
    expect(await actorFromSessionToken(cookieValue(before.cookie))).toBeNull();
  });

  test("groups from memberOf work as well as a group search", async () => {
    const viaMemberOf = await newProvider("Directory (memberOf)", { groupBase: "" });
    const r = await ldapLogin(viaMemberOf.id, { username: "bob", password: PASSWORDS.bob }, meta);
    if (r.mfaRequired) throw new Error("unexpected MFA");
    expect((await actorOf(r.cookie)).role).toBe("operator");
    expect(await lastSsoAudit()).toMatchObject({ details: { groups: ["infra-ops"] } });
  });

  test("StartTLS on plain LDAP works, with the certificate checked", async () => {
    const starttls = await newProvider("Directory (StartTLS)", { url: slapd.ldapUrl, startTls: true });
    const r = await ldapLogin(starttls.id, { username: "bob", password: PASSWORDS.bob }, meta);
    expect(r.mfaRequired).toBe(false);
  });

  test("the admin's Test binds the service account, and with credentials shows what the directory answers", async () => {
    await expect(testProvider(admin, provider.id, {})).resolves.toMatchObject({ ok: true, message: expect.stringContaining("Connected over LDAPS") });
    const withUser = await testProvider(admin, provider.id, { username: "bob", password: PASSWORDS.bob });
    expect(withUser).toMatchObject({ ok: true, attributes: { dn: `uid=bob,ou=people,${LDAP_BASE}`, mail: "bob@example.com", groups: ["infra-ops"] } });
    await expect(testProvider(admin, provider.id, { username: "bob", password: "wrong" })).resolves.toMatchObject({ ok: false });
  });
});

describe("security cases", () => {
  test("a wrong password is refused and audited", async () => {
    await expect(ldapLogin(provider.id, { username: "bob", password: "not bob's password" }, meta)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(await lastSsoAudit()).toMatchObject({ outcome: "denied", details: { reason: "ldap: Wrong password." } });
  });

  test("an empty password is never a login, although this directory accepts it as an unauthenticated bind", async () => {
    // The directory itself says yes to the DN with an empty password…
    const raw = new Client({ url: slapd.ldapsUrl, tlsOptions: { ca: [slapd.caPem] } });
    try {
      await expect(raw.bind(`uid=bob,ou=people,${LDAP_BASE}`, "")).resolves.toBeUndefined();
    } finally {
      await raw.unbind();
    }
    // …InfraPilot does not.
    await expect(ldapLogin(provider.id, { username: "bob", password: "" }, meta)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  test.each(["*)(uid=*", "*", "alice)(|(uid=*", "al*", "alice\u0000", "*)(objectClass=*"])("filter injection in the username is a literal: %j finds nobody", async (username) => {
    await expect(ldapLogin(provider.id, { username, password: PASSWORDS.alice }, meta)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(await lastSsoAudit()).toMatchObject({ outcome: "denied", details: { reason: "ldap: No such user in the directory." } });
  });

  test("the same injection unescaped in an AND filter would match every entry (so the test above can fail)", async () => {
    const raw = new Client({ url: slapd.ldapsUrl, tlsOptions: { ca: [slapd.caPem] } });
    try {
      await raw.bind(LDAP_READER.dn, LDAP_READER.password);
      const { searchEntries } = await raw.search(`ou=people,${LDAP_BASE}`, { scope: "sub", filter: "(&(objectClass=inetOrgPerson)(uid=*)(uid=*))" });
      expect(searchEntries.length).toBeGreaterThan(1);
    } finally {
      await raw.unbind();
    }
  });

  test("a server certificate from another CA is refused (and so is one checked against the system CAs)", async () => {
    const wrongCa = await newProvider("Directory (wrong CA)", { caCertPem: slapd.otherCaPem });
    await expect(ldapLogin(wrongCa.id, { username: "bob", password: PASSWORDS.bob }, meta)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(await lastSsoAudit()).toMatchObject({ outcome: "failure", details: { reason: expect.stringMatching(/certificate/i) } });
    const systemCas = await newProvider("Directory (system CAs)", { caCertPem: "" });
    await expect(ldapLogin(systemCas.id, { username: "bob", password: PASSWORDS.bob }, meta)).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(testProvider(admin, systemCas.id, {})).resolves.toMatchObject({ ok: false, message: expect.stringMatching(/certificate/i) });
  });

  test("plain LDAP without StartTLS is refused unless explicitly allowed", () => {
    const base = { type: "ldap", name: "x", config: { url: "ldap://127.0.0.1:389", userBase: "ou=people,dc=example,dc=com" } };
    const refused = CreateSsoProviderSchema.safeParse(base);
    expect(refused.success).toBe(false);
    expect(JSON.stringify(refused.error?.issues)).toContain("explicitly allow plain LDAP");
    expect(CreateSsoProviderSchema.safeParse({ ...base, config: { ...base.config, startTls: true } }).success).toBe(true);
    expect(CreateSsoProviderSchema.safeParse({ ...base, config: { ...base.config, allowPlainLdap: true } }).success).toBe(true);
    expect(CreateSsoProviderSchema.safeParse({ ...base, config: { ...base.config, userFilter: "(uid=*)" } }).success).toBe(false);
  });

  test("an account deleted from the directory can no longer log in", async () => {
    expect(await loggedIn("eve", PASSWORDS.eve)).toMatchObject({ email: "eve@example.com" });
    await slapd.ldap("ldapdelete", `uid=eve,ou=people,${LDAP_BASE}\n`);
    await expect(ldapLogin(provider.id, { username: "eve", password: PASSWORDS.eve }, meta)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  test("an account disabled in InfraPilot is refused although the directory accepts the password", async () => {
    const bob = await loggedIn("bob", PASSWORDS.bob);
    await updateUser(admin, bob.userId, { disabled: true });
    await expect(ldapLogin(provider.id, { username: "bob", password: PASSWORDS.bob }, meta)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(await lastSsoAudit()).toMatchObject({ outcome: "denied", details: { reason: "account disabled" } });
  });

  test("guesses are throttled like password logins", async () => {
    await updateProvider(admin, provider.id, { name: "Directory" });
    let throttled = false;
    for (let i = 0; i < 12 && !throttled; i++) {
      const error = await ldapLogin(provider.id, { username: "alice", password: `guess ${i}` }, { ...meta, ip: "198.51.100.77" }).catch((e: unknown) => e);
      throttled = (error as { status?: number }).status === 429;
    }
    expect(throttled).toBe(true);
  });
});
