// Shared by server and browser: the feature table of each edition (no secrets here).
export type Edition = "community" | "saas";

export const FEATURES = {
  proxies: ["community", "saas"],
  containers: ["community", "saas"],
  logs: ["community", "saas"],
  alerts: ["community", "saas"],
  monitors: ["community", "saas"],
  health: ["community", "saas"],
  users: ["community", "saas"],
  audit: ["community", "saas"],
  /** Audit retention, immutable mode, forwarding and reports (exports and verification are in `audit`). */
  auditCompliance: ["saas"],
  settings: ["community", "saas"],
  organizations: ["saas"],
  sso: ["community", "saas"],
  policies: ["saas"],
  remoteAgents: ["saas"],
  billing: ["saas"],
  operatorConsole: ["saas"],
  planLimits: ["saas"],
} as const satisfies Record<string, readonly Edition[]>;

export type Feature = keyof typeof FEATURES;

export function hasFeature(edition: Edition, feature: Feature): boolean {
  return (FEATURES[feature] as readonly Edition[]).includes(edition);
}
