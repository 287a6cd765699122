// What is stored in ProxyHost.config and what the API returns (API.md "Proxies and certificates").
// Raw `advanced` directives reach super admins only; everyone else learns that a host has them
// (`hasAdvanced`) and never their text (docs/decisions/050).
import { isSingleLabel, type HostInput } from "~/validation/proxy";

/** Everything of the validated input except the columns (domains, enabled, advanced, ids). */
export type StoredHostConfig = {
  http2: boolean;
  tls: { mode: "none" | "acme" | "custom"; forceHttps: boolean; hsts: { enabled: boolean; maxAge: number; includeSubdomains: boolean; preload: boolean } };
  headers: HostInput["headers"];
  upstream: { scheme: "http" | "https"; host: string; port: number } | { containerId: string; port: number } | null;
  websockets: boolean;
  blockExploits: boolean;
  gzip: boolean;
  clientMaxBodySizeMb: number;
  rateLimit: { requestsPerSecond: number; burst: number } | null;
  redirect: { to: string; code: number; keepPath: boolean } | null;
};

export function toStoredConfig(input: HostInput): StoredHostConfig {
  const proxy = input.kind === "proxy" ? input : null;
  return {
    http2: input.http2,
    tls: { mode: input.tls.mode, forceHttps: input.tls.forceHttps, hsts: input.tls.hsts },
    headers: input.headers,
    upstream: proxy ? proxy.upstream : null,
    websockets: proxy?.websockets ?? false,
    blockExploits: proxy?.blockExploits ?? false,
    gzip: proxy?.gzip ?? false,
    clientMaxBodySizeMb: proxy?.clientMaxBodySizeMb ?? 1,
    rateLimit: proxy?.rateLimit ?? null,
    redirect: input.kind === "redirect" ? input.redirect : null,
  };
}

export interface ProxyHostRow {
  id: string;
  agentId: string;
  kind: string;
  domains: string[];
  enabled: boolean;
  config: unknown;
  advanced: string;
  accessListId: string | null;
  certificateId: string | null;
  status: string;
  statusMessage: string | null;
  appliedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const HOST_SELECT = {
  id: true,
  agentId: true,
  kind: true,
  domains: true,
  enabled: true,
  config: true,
  advanced: true,
  accessListId: true,
  certificateId: true,
  status: true,
  statusMessage: true,
  appliedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** What the reader may see of a host: `advanced` is for super admins (manage:proxy-advanced). */
export interface HostAudience {
  seesAdvanced: boolean;
}

export function toHostDto(row: ProxyHostRow, audience: HostAudience) {
  const c = row.config as StoredHostConfig;
  return {
    id: row.id,
    agentId: row.agentId,
    kind: row.kind as "proxy" | "redirect",
    domains: row.domains,
    // Derived: a host that has a one-label name was saved with the opt-in, so GET stays a valid PATCH body.
    allowSingleLabel: row.domains.some(isSingleLabel),
    enabled: row.enabled,
    upstream: c.upstream,
    websockets: c.websockets,
    http2: c.http2,
    blockExploits: c.blockExploits,
    gzip: c.gzip,
    clientMaxBodySizeMb: c.clientMaxBodySizeMb,
    tls: { mode: c.tls.mode, certificateId: row.certificateId, forceHttps: c.tls.forceHttps, hsts: c.tls.hsts },
    headers: c.headers,
    rateLimit: c.rateLimit,
    accessListId: row.accessListId,
    ...(audience.seesAdvanced ? { advanced: row.advanced } : {}),
    hasAdvanced: row.advanced.trim() !== "",
    redirect: c.redirect,
    status: { state: row.status as "pending" | "ok" | "error", message: row.statusMessage, appliedAt: row.appliedAt?.toISOString() ?? null },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** `advanced` is absent for readers who may not see it. */
export type ProxyHostDto = Omit<ReturnType<typeof toHostDto>, "advanced"> & { advanced?: string };
