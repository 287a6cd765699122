// Pure: which role a person gets from the groups their IdP sends, re-applied at every SSO login.
import { ROLES, type Role } from "~/permissions";

/** The highest role among matching groups (exact, case-sensitive names), else the default role. */
export function roleFromGroups(map: readonly { group: string; role: Role }[], groups: readonly string[], defaultRole: Role): Role {
  const have = new Set(groups);
  let best: Role | null = null;
  for (const { group, role } of map) {
    if (!have.has(group) || role === "super_admin") continue;
    if (best === null || ROLES.indexOf(role) < ROLES.indexOf(best)) best = role;
  }
  return best ?? (defaultRole === "super_admin" ? "viewer" : defaultRole);
}

/** The role a login leaves the member with: an owner (super_admin) is never changed by an IdP. */
export function nextRole(current: Role | null, mapped: Role): Role {
  return current === "super_admin" ? "super_admin" : mapped;
}

export function isDemotion(from: Role, to: Role): boolean {
  return ROLES.indexOf(to) > ROLES.indexOf(from);
}

/** Groups from a claim or attribute value: a list of strings, or one string. */
export function groupsFromClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string").slice(0, 1000);
  if (typeof value === "string" && value) return [value];
  return [];
}

/** Possession and inherence methods of RFC 8176 (a second factor when combined with another method). */
const SECOND_FACTOR_AMR = new Set(["otp", "hwk", "swk", "sc", "sms", "tel", "face", "fpt", "iris", "retina", "vbm"]);

/** Whether the IdP says it checked more than one factor: `mfa`, or a possession/inherence method plus another. */
export function idpAssertedMfa(amr: readonly string[]): boolean {
  if (amr.includes("mfa")) return true;
  return new Set(amr).size >= 2 && amr.some((v) => SECOND_FACTOR_AMR.has(v));
}
