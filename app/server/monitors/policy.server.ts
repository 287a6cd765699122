// The monitor address policy of one organization, from the environment (decision 064).
import type { AddressPolicy } from "../alerts/address-policy";
import { policyFromEnv } from "../alerts/safe-fetch.server";
import { env } from "../env.server";
import { parseOrgAllowances, policyForOrg } from "./policy";

let parsed: { spec: string; map: Map<string, string[]> } | null = null;

export function monitorPolicy(orgId: string): AddressPolicy {
  const spec = env().MONITORS_ORG_ALLOWED_HOSTS;
  if (!parsed || parsed.spec !== spec) parsed = { spec, map: parseOrgAllowances(spec) };
  return policyForOrg(policyFromEnv(), parsed.map, orgId);
}
