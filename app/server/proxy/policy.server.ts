// The one place a policy engine will allow, warn about or block proxy changes. Today it allows
// everything that passed validation and permissions; the verbs already call it with the action
// and the validated input, so the engine plugs in here without touching them.
import type { Actor } from "../auth/require.server";

export type ProxyPolicyAction = "proxy.create" | "proxy.update" | "proxy.delete" | "proxy.apply" | "access_list.write" | "certificate.write";

export interface PolicyVerdict {
  effect: "allow" | "warn" | "block";
  reasons: string[];
}

export async function evaluateProxyPolicy(_actor: Actor, _action: ProxyPolicyAction, _input: unknown): Promise<PolicyVerdict> {
  return { effect: "allow", reasons: [] };
}
