// The only module that talks to ldapts (LDAP client). One verb: authenticate a username and
// password against a directory and say who it is and which groups it is in. TLS is on unless the
// provider explicitly allows plain LDAP, and the server's certificate is always verified (the
// provider's CA, or the system's). Input only reaches a filter escaped (sso/ldap-filter.ts), and
// an empty password is refused before any bind: LDAP treats it as an unauthenticated bind that
// "succeeds" (RFC 4513 §5.1.2).
import { Client, InvalidCredentialsError, type Entry } from "ldapts";
import type { ConnectionOptions } from "node:tls";
import { buildFilter, groupNameFromDn } from "../sso/ldap-filter";

export interface LdapSettings {
  url: string;
  startTls: boolean;
  caCertPem: string;
  bindDn: string;
  bindPassword?: string;
  userBase: string;
  userFilter: string;
  emailAttribute: string;
  nameAttribute: string;
  groupBase: string;
  groupFilter: string;
  allowPlainLdap: boolean;
}

export interface LdapIdentity {
  dn: string;
  email: string | null;
  name: string | null;
  groups: string[];
  /** The attributes read, for the admin's "Test". */
  raw: Record<string, unknown>;
}

/** A login that failed for a reason the user may be told only as "wrong username or password". */
export class LdapAuthError extends Error {}
/** The directory could not be reached or refused the service account: an operator's problem. */
export class LdapUnavailableError extends Error {}

const TIMEOUT_MS = 10_000;

function tlsOptions(s: LdapSettings): ConnectionOptions {
  const host = new URL(s.url).hostname.replace(/^\[|\]$/g, "");
  return { ...(s.caCertPem ? { ca: [s.caCertPem] } : {}), rejectUnauthorized: true, minVersion: "TLSv1.2", ...(/^[\d.:]+$/.test(host) ? {} : { servername: host }) };
}

async function connect(s: LdapSettings): Promise<Client> {
  const ldaps = s.url.startsWith("ldaps://");
  if (!ldaps && !s.startTls && !s.allowPlainLdap) throw new LdapUnavailableError("Plain LDAP is not allowed for this provider.");
  const client = new Client({ url: s.url, timeout: TIMEOUT_MS, connectTimeout: TIMEOUT_MS, ...(ldaps ? { tlsOptions: tlsOptions(s) } : {}) });
  if (!ldaps && s.startTls) await client.startTLS(tlsOptions(s));
  return client;
}

function first(entry: Entry, attribute: string): string | null {
  const v = entry[attribute] ?? entry[Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase()) ?? ""];
  const value = Array.isArray(v) ? v[0] : v;
  return value === undefined || value === null ? null : Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
}

function all(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const v = key ? entry[key] : undefined;
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString("utf8") : String(x)));
}

/** Active Directory marks a disabled account in userAccountControl (bit 0x2). */
function adDisabled(entry: Entry): boolean {
  const uac = first(entry, "userAccountControl");
  return uac !== null && (Number(uac) & 2) === 2;
}

export async function ldapAuthenticate(s: LdapSettings, username: string, password: string): Promise<LdapIdentity> {
  if (!username || !password) throw new LdapAuthError("An empty username or password is never a login (an unauthenticated bind is not a password check).");
  let client: Client;
  try {
    client = await connect(s);
  } catch (error) {
    throw new LdapUnavailableError(`Cannot connect to ${s.url}: ${(error as Error).message}`);
  }
  try {
    try {
      if (s.bindDn) await client.bind(s.bindDn, s.bindPassword ?? "");
    } catch (error) {
      throw new LdapUnavailableError(`The service account could not bind: ${(error as Error).message}`);
    }
    const filter = buildFilter(s.userFilter, { username });
    const { searchEntries } = await client.search(s.userBase, { scope: "sub", filter, sizeLimit: 2, attributes: [s.emailAttribute, s.nameAttribute, "memberOf", "userAccountControl"] }).catch((error: Error) => {
      throw new LdapUnavailableError(`The user search failed: ${error.message}`);
    });
    if (searchEntries.length !== 1) throw new LdapAuthError(searchEntries.length === 0 ? "No such user in the directory." : "The user filter matches more than one entry.");
    const entry = searchEntries[0]!;
    if (adDisabled(entry)) throw new LdapAuthError("The directory account is disabled.");

    let groups: string[];
    if (s.groupBase) {
      const groupFilter = buildFilter(s.groupFilter, { username, dn: entry.dn });
      const found = await client.search(s.groupBase, { scope: "sub", filter: groupFilter, attributes: ["cn"], sizeLimit: 1000 }).catch((error: Error) => {
        throw new LdapUnavailableError(`The group search failed: ${error.message}`);
      });
      groups = found.searchEntries.map((g) => first(g, "cn")).filter((x): x is string => Boolean(x));
    } else {
      groups = all(entry, "memberOf").map(groupNameFromDn).filter((x): x is string => Boolean(x));
    }

    // Last: the user's own bind proves the password (the connection is not used after it).
    try {
      await client.bind(entry.dn, password);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) throw new LdapAuthError("Wrong password.");
      throw new LdapAuthError(`The directory refused the login: ${(error as Error).message}`);
    }
    return {
      dn: entry.dn,
      email: first(entry, s.emailAttribute)?.trim().toLowerCase() ?? null,
      name: first(entry, s.nameAttribute),
      groups,
      raw: { dn: entry.dn, [s.emailAttribute]: first(entry, s.emailAttribute), [s.nameAttribute]: first(entry, s.nameAttribute), groups },
    };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** The admin's "Test" without a user: connect (TLS verified) and bind the service account. */
export async function ldapCheckConnection(s: LdapSettings): Promise<string> {
  let client: Client;
  try {
    client = await connect(s);
  } catch (error) {
    throw new LdapUnavailableError(`Cannot connect to ${s.url}: ${(error as Error).message}`);
  }
  try {
    if (s.bindDn) {
      try {
        await client.bind(s.bindDn, s.bindPassword ?? "");
      } catch (error) {
        throw new LdapUnavailableError(`The service account could not bind: ${(error as Error).message}`);
      }
    }
    const { searchEntries } = await client.search(s.userBase, { scope: "sub", filter: buildFilter(s.userFilter, { username: "*" }).replace(/\\2a/g, "*"), sizeLimit: 5, attributes: ["dn"] }).catch((error: Error) => {
      if (/size limit/i.test(error.message)) return { searchEntries: [1, 2, 3, 4, 5] };
      throw new LdapUnavailableError(`The user search failed: ${error.message}`);
    });
    return `Connected over ${s.url.startsWith("ldaps://") ? "LDAPS" : s.startTls ? "StartTLS" : "plain LDAP"}${s.bindDn ? `, bound as ${s.bindDn}` : ""}; the user search finds ${searchEntries.length >= 5 ? "5 or more" : searchEntries.length} entr${searchEntries.length === 1 ? "y" : "ies"}.`;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
