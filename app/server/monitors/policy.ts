// The address policy of a monitor check from the control plane (decision 064): the install-wide
// alert policy (ALERTS_ALLOW_PRIVATE, ALERTS_ALLOWED_HOSTS), plus the allowances the operator
// granted to this one organization in MONITORS_ORG_ALLOWED_HOSTS. A tenant cannot widen its own
// policy: the setting is the operator's (an environment variable), not an organization setting,
// so in a SaaS install no tenant probes the control plane's network unless the operator says so.
import type { AddressPolicy } from "../alerts/address-policy";

/** `<orgId>=a:1 b;<orgId2>=c` → Map(orgId → ["a:1", "b"]); malformed parts are ignored. */
export function parseOrgAllowances(spec: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of spec.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const orgId = part.slice(0, eq).trim();
    if (!/^[0-9a-f-]{36}$/i.test(orgId)) continue;
    const hosts = part
      .slice(eq + 1)
      .split(/[\s,]+/)
      .map((h) => h.trim())
      .filter((h) => /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.*_-]+)(:\d{1,5})?$/.test(h));
    out.set(orgId.toLowerCase(), [...(out.get(orgId.toLowerCase()) ?? []), ...hosts]);
  }
  return out;
}

export function policyForOrg(base: AddressPolicy, allowances: Map<string, string[]>, orgId: string): AddressPolicy {
  const extra = allowances.get(orgId.toLowerCase());
  return extra?.length ? { ...base, allowedHosts: [...base.allowedHosts, ...extra] } : base;
}
