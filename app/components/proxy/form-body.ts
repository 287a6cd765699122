// The proxy host form posts flat fields; this turns them into the API body the domain verb
// validates (same schema as the REST API), and a stored host back into form defaults.
import { domainsFromForm } from "~/validation/proxy";
export function hostBodyFromForm(form: FormData): Record<string, unknown> {
  const s = (k: string) => String(form.get(k) ?? "").trim();
  const on = (k: string) => form.get(k) === "on";
  const kind = s("kind") === "redirect" ? "redirect" : "proxy";
  const common = {
    kind,
    domains: domainsFromForm(form),
    allowSingleLabel: on("allowSingleLabel"),
    enabled: !form.has("enabledPresent") || on("enabled"),
    http2: on("http2"),
    tls: {
      mode: ["acme", "custom"].includes(s("tlsMode")) ? s("tlsMode") : "none",
      certificateId: s("certificateId") || null,
      forceHttps: on("forceHttps"),
      hsts: { enabled: on("hsts"), maxAge: s("hstsMaxAge") || 31536000, includeSubdomains: on("hstsIncludeSubdomains"), preload: on("hstsPreload") },
    },
    headers: {
      csp: s("csp") || null,
      frameOptions: s("frameOptions") || null,
      referrerPolicy: s("referrerPolicy") || null,
      permissionsPolicy: s("permissionsPolicy") || null,
      contentTypeOptions: on("contentTypeOptions"),
    },
    // Only super admins' forms carry the field; without it the stored directives are kept.
    ...(form.has("advanced") ? { advanced: String(form.get("advanced") ?? "").replace(/\r\n/g, "\n") } : {}),
  };
  if (kind === "redirect") return { ...common, redirect: { to: s("redirectTo"), code: Number(s("redirectCode") || 301), keepPath: on("keepPath") } };
  const rps = s("rateLimitRps");
  return {
    ...common,
    // A container target (picked from the agent's list) or scheme + host + port.
    upstream: s("upstreamContainer") ? { containerId: s("upstreamContainer"), port: s("upstreamPort") } : { scheme: s("scheme") || "http", host: s("upstreamHost"), port: s("upstreamPort") },
    websockets: on("websockets"),
    blockExploits: on("blockExploits"),
    gzip: on("gzip"),
    clientMaxBodySizeMb: s("clientMaxBodySizeMb") || 1,
    rateLimit: rps ? { requestsPerSecond: rps, burst: s("rateLimitBurst") || 0 } : null,
    accessListId: s("accessListId") || null,
  };
}

/** Field errors from the verb use API paths (upstream.host); the form names fields flat. */
export function formFieldName(path: string): string {
  const map: Record<string, string> = {
    "upstream.host": "upstreamHost",
    "upstream.port": "upstreamPort",
    "upstream.containerId": "upstreamContainer",
    upstream: "upstreamHost",
    "upstream.scheme": "scheme",
    "headers.csp": "csp",
    "headers.permissionsPolicy": "permissionsPolicy",
    "redirect.to": "redirectTo",
    "tls.certificateId": "certificateId",
    "tls.mode": "tlsMode",
    "tls.hsts.maxAge": "hstsMaxAge",
    "redirect.code": "redirectCode",
    "rateLimit.requestsPerSecond": "rateLimitRps",
    "rateLimit.burst": "rateLimitBurst",
  };
  if (path.startsWith("domains")) return "domains";
  return map[path] ?? path;
}
