/* eslint-disable no-control-regex -- these patterns look for control characters on purpose: they must never reach nginx. */
// Schemas for proxy hosts, access lists and certificates, shared by the form, the API and the
// domain verbs. Every field that reaches nginx is checked against an allowlist here; the
// renderer (app/server/proxy/render.ts) re-checks the character classes as a second wall.
// Nothing here does I/O, so the browser bundle can use it too.
import { z } from "zod";
import { ACME_TOKEN_PATTERN } from "#agent/nginx/acme-token";
import { nginxBlockProblem } from "./nginx-tokens";

/** Characters that can end or split an nginx directive, or start a variable. */
const NGINX_META = /[;{}"'`\\$#\s]/;
const CONTROL = /[\u0000-\u001f\u007f]/;


// ---------------------------------------------------------------- domains and hosts

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Lower-cases, converts IDN to punycode and checks every label. Returns the ASCII name or an error text. */
export function normalizeDomain(raw: string): { ok: true; value: string } | { ok: false; error: string } {
  const trimmed = raw.trim();
  if (!trimmed) return { ok: false, error: "Enter a domain name." };
  if (CONTROL.test(trimmed) || /[\s;'"`{}\\$#/:@?&=%,!()<>[\]|^~+]/.test(trimmed)) return { ok: false, error: `"${printable(trimmed)}" is not a domain name.` };
  const wildcard = trimmed.startsWith("*.");
  const rest = wildcard ? trimmed.slice(2) : trimmed;
  if (rest.includes("*")) return { ok: false, error: "A wildcard is only allowed as the whole leftmost label (*.example.com)." };
  const ascii = toAscii(rest.replace(/\.$/, ""));
  if (!ascii || /^\d+$/.test(ascii.split(".").pop()!)) return { ok: false, error: `"${printable(trimmed)}" is not a valid domain name.` };
  const labels = ascii.split(".");
  if (labels.some((l) => !LABEL.test(l))) return { ok: false, error: `"${printable(trimmed)}" has an invalid label (letters, digits and inner hyphens, 1–63 characters).` };
  const value = wildcard ? `*.${ascii}` : ascii;
  if (value.length > 253) return { ok: false, error: "A domain name has at most 253 characters." };
  if (wildcard && labels.length < 2) return { ok: false, error: "A wildcard needs a parent domain (*.example.com)." };
  return { ok: true, value };
}

/** IDNA/UTS-46 to ASCII, the same algorithm as node:url's domainToASCII, but also in the browser. */
function toAscii(name: string): string {
  try {
    return new URL(`http://${name}/`).hostname.toLowerCase();
  } catch {
    return "";
  }
}

function printable(v: string): string {
  return v.replace(/[\u0000-\u001f\u007f]/g, "?").slice(0, 80);
}

const domainField = z.string().transform((v, ctx) => {
  const r = normalizeDomain(v);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: r.error });
    return z.NEVER;
  }
  return r.value;
});

export const domainsField = z
  .array(domainField, { message: "Enter at least one domain." })
  .min(1, "Enter at least one domain.")
  .max(50, "At most 50 domains per host.")
  .refine((d) => new Set(d).size === d.length, "A domain is listed twice.");

/** Commas and line breaks separate typed names; spaces do not (a space inside a name is an error, not two names). */
export function splitDomains(text: string): string[] {
  return text
    .split(/[,\n\r]+/)
    .map((d) => d.trim())
    .filter(Boolean);
}

/** Every `domains` value of a form (one per chip, or one comma-separated text without JavaScript). */
export function domainsFromForm(form: FormData): string[] {
  return form.getAll("domains").flatMap((v) => (typeof v === "string" ? splitDomains(v) : []));
}

/** A name with one label ("intranet", "localhost") resolves only on a local network: refused unless asked for. */
export function isSingleLabel(domain: string): boolean {
  return !domain.startsWith("*.") && !domain.replace(/\.$/, "").includes(".");
}

export const SINGLE_LABEL_MESSAGE = (domain: string) =>
  `"${printable(domain)}" has a single label and only resolves on a local network; add the domain (${printable(domain)}.example.com) or tick "Allow single-label names".`;

/** Adds a field error at each one-label domain unless `allowSingleLabel` is set (proxy hosts and certificates alike). */
export function refineSingleLabel(value: { domains: string[]; allowSingleLabel?: boolean }, ctx: z.RefinementCtx): void {
  if (value.allowSingleLabel) return;
  value.domains.forEach((d, i) => {
    if (isSingleLabel(d)) ctx.addIssue({ code: "custom", path: ["domains", i], message: SINGLE_LABEL_MESSAGE(d) });
  });
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-f:.]+$/i;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}))*$/;

export function isIpLiteral(host: string): boolean {
  return IPV4.test(host) || (host.includes(":") && IPV6.test(host) && isIPv6(host));
}

function isIPv6(v: string): boolean {
  try {
    return new URL(`http://[${v}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/** Upstream host: a hostname (container names too), an IPv4 or an IPv6 address. */
export const upstreamHostField = z
  .string({ message: "Enter the upstream host." })
  .trim()
  .min(1, "Enter the upstream host.")
  .max(253)
  .transform((v) => v.replace(/^\[(.*)\]$/, "$1"))
  .refine((v) => IPV4.test(v) || HOSTNAME.test(v) || (v.includes(":") && IPV6.test(v) && isIPv6(v)), "Use a hostname, container name or IP address (no spaces, quotes or ;).");

export const portField = z.coerce
  .number({ message: "Enter a port number." })
  .int("Use a whole number.")
  .min(1, "Use a port between 1 and 65535.")
  .max(65535, "Use a port between 1 and 65535.");

const containerIdField = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "Pick a container from the list.");

export const UpstreamSchema = z.union([
  z.object({ scheme: z.enum(["http", "https"], { message: "Use http or https." }), host: upstreamHostField, port: portField }).strict(),
  z.object({ containerId: containerIdField, port: portField }).strict(),
]);
export type Upstream = z.infer<typeof UpstreamSchema>;

// ---------------------------------------------------------------- header values

const CSP_DIRECTIVES = new Set([
  "default-src", "script-src", "script-src-elem", "script-src-attr", "style-src", "style-src-elem", "style-src-attr", "img-src", "font-src",
  "connect-src", "media-src", "object-src", "frame-src", "child-src", "worker-src", "manifest-src", "prefetch-src", "base-uri", "form-action",
  "frame-ancestors", "sandbox", "upgrade-insecure-requests", "block-all-mixed-content", "report-uri", "report-to", "require-trusted-types-for",
  "trusted-types", "navigate-to",
]);
const CSP_SOURCE = /^(?:'[A-Za-z0-9+/=_.-]+'|[A-Za-z0-9*][A-Za-z0-9*+./:_=?&%@!,-]*|\*)$/;

/** Content-Security-Policy: known directives separated by `;`, each with plain source tokens. */
export function cspProblem(value: string): string | null {
  if (CONTROL.test(value)) return "The policy must not contain line breaks or control characters.";
  if (/["\\$`{}#]/.test(value)) return "The policy must not contain \", \\, $, `, { , } or #.";
  const directives = value.split(";").map((d) => d.trim()).filter(Boolean);
  if (directives.length === 0) return "Enter at least one directive, e.g. default-src 'self'.";
  for (const d of directives) {
    const [name, ...sources] = d.split(/\s+/);
    if (!CSP_DIRECTIVES.has(name!.toLowerCase())) return `"${printable(name!)}" is not a Content-Security-Policy directive.`;
    for (const s of sources) if (!CSP_SOURCE.test(s)) return `"${printable(s)}" is not a valid source in ${name}.`;
  }
  return null;
}

/** Permissions-Policy: `feature=(allowlist), …`, structured-field syntax, no `;`. */
export function permissionsPolicyProblem(value: string): string | null {
  if (CONTROL.test(value)) return "The policy must not contain line breaks or control characters.";
  const items = value.split(",").map((i) => i.trim()).filter(Boolean);
  if (items.length === 0) return "Enter at least one feature, e.g. camera=().";
  for (const item of items) {
    if (!/^[a-z][a-z0-9-]*=(\*|self|\((?:\s*(?:self|\*|"https?:\/\/[A-Za-z0-9.:*-]+")\s*)*\))$/.test(item)) {
      return `"${printable(item)}" is not a valid entry (feature=() or feature=(self "https://example.com")).`;
    }
  }
  return null;
}

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters.`)
    .nullable()
    .optional()
    .transform((v) => (v ? v : null));

export const HeadersSchema = z
  .object({
    csp: optionalText(4000).superRefine((v, ctx) => {
      const p = v ? cspProblem(v) : null;
      if (p) ctx.addIssue({ code: "custom", message: p });
    }),
    frameOptions: z.enum(["DENY", "SAMEORIGIN"], { message: "Use DENY or SAMEORIGIN." }).nullable().optional().transform((v) => v ?? null),
    referrerPolicy: z
      .enum(["no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "same-origin", "strict-origin", "strict-origin-when-cross-origin", "unsafe-url"], { message: "Choose a Referrer-Policy value." })
      .nullable()
      .optional()
      .transform((v) => v ?? null),
    permissionsPolicy: optionalText(2000).superRefine((v, ctx) => {
      const p = v ? permissionsPolicyProblem(v) : null;
      if (p) ctx.addIssue({ code: "custom", message: p });
    }),
    contentTypeOptions: z.boolean().default(false),
  })
  .strict();
export type SecurityHeaders = z.infer<typeof HeadersSchema>;

// ---------------------------------------------------------------- TLS, limits, redirects

export const HstsSchema = z
  .object({
    enabled: z.boolean().default(false),
    maxAge: z.coerce.number().int().min(0).max(2 * 365 * 86400, "At most two years (63072000 s).").default(31536000),
    includeSubdomains: z.boolean().default(false),
    preload: z.boolean().default(false),
  })
  .strict();

export const TlsSchema = z
  .object({
    mode: z.enum(["none", "acme", "custom"], { message: "Use none, acme or custom." }).default("none"),
    certificateId: z.string().uuid("Pick a certificate.").nullable().optional().transform((v) => v ?? null),
    forceHttps: z.boolean().default(false),
    hsts: HstsSchema.default({ enabled: false, maxAge: 31536000, includeSubdomains: false, preload: false }),
  })
  .strict();

export const RateLimitSchema = z
  .object({
    requestsPerSecond: z.coerce.number().int("Use a whole number.").min(1, "At least 1 request per second.").max(100000),
    burst: z.coerce.number().int("Use a whole number.").min(0).max(100000),
  })
  .strict();

const REDIRECT_URL = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~!&'()*+,=:@%/-]*)?(\?[A-Za-z0-9._~!&'()*+,=:@%/?-]*)?$/;
export const RedirectSchema = z
  .object({
    to: z
      .string({ message: "Enter the target URL." })
      .trim()
      .max(2000)
      .refine((v) => REDIRECT_URL.test(v) && !NGINX_META.test(v.replace(/'/g, "")) && !/'/.test(v), "Use an http(s) URL without spaces, quotes, ;, {, } or $."),
    code: z.coerce.number().refine((c) => [301, 302, 307, 308].includes(c), "Use 301, 302, 307 or 308.").default(301),
    keepPath: z.boolean().default(true),
  })
  .strict();

/**
 * Super-admin-only raw directives: still no control characters but line breaks, and read as nginx
 * reads them (comments, quotes, escapes) so that their blocks close exactly what they open.
 */
export function advancedProblem(value: string): string | null {
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(value)) return "Control characters are not allowed.";
  return nginxBlockProblem(value);
}

const hostBase = {
  domains: domainsField,
  /** One-label names ("localhost", "nas") are accepted only when this is true (see refineSingleLabel). */
  allowSingleLabel: z.boolean().default(false),
  enabled: z.boolean().default(true),
  http2: z.boolean().default(false),
  tls: TlsSchema.default({ mode: "none", certificateId: null, forceHttps: false, hsts: { enabled: false, maxAge: 31536000, includeSubdomains: false, preload: false } }),
  headers: HeadersSchema.default({ csp: null, frameOptions: null, referrerPolicy: null, permissionsPolicy: null, contentTypeOptions: false }),
  advanced: z
    .string()
    .max(20000, "Use at most 20000 characters.")
    .default("")
    .superRefine((v, ctx) => {
      const p = v ? advancedProblem(v) : null;
      if (p) ctx.addIssue({ code: "custom", message: p });
    }),
};

export const ProxyHostSchema = z
  .object({
    kind: z.literal("proxy").default("proxy"),
    ...hostBase,
    upstream: UpstreamSchema,
    websockets: z.boolean().default(false),
    blockExploits: z.boolean().default(true),
    gzip: z.boolean().default(false),
    clientMaxBodySizeMb: z.coerce.number().int().min(0).max(102400).default(1),
    rateLimit: RateLimitSchema.nullable().default(null),
    accessListId: z.string().uuid("Pick an access list.").nullable().default(null),
    redirect: z.null().optional().transform(() => null),
  })
  .strict();

export const RedirectHostSchema = z
  .object({
    kind: z.literal("redirect"),
    ...hostBase,
    redirect: RedirectSchema,
    upstream: z.null().optional().transform(() => null),
  })
  .strict();

export const HostInputSchema = z.discriminatedUnion("kind", [ProxyHostSchema, RedirectHostSchema]).superRefine(noControlAnywhere).superRefine(refineSingleLabel);

/** PATCH takes the same body as create (the whole host): the form always sends every field. */
export const HostUpdateSchema = HostInputSchema;

export type ProxyHostInput = z.infer<typeof ProxyHostSchema>;
export type RedirectHostInput = z.infer<typeof RedirectHostSchema>;
export type HostInput = z.infer<typeof HostInputSchema>;

/** Rejects CR/LF/control characters in any string of the body except `advanced` (which may hold line breaks). */
function noControlAnywhere(value: unknown, ctx: z.RefinementCtx): void {
  const walk = (v: unknown, path: (string | number)[]) => {
    if (typeof v === "string") {
      const allowNewlines = path.length === 1 && path[0] === "advanced";
      const bad = allowNewlines ? /[\u0000-\u0009\u000b-\u001f\u007f]/ : CONTROL;
      if (bad.test(v)) ctx.addIssue({ code: "custom", path, message: "Line breaks and control characters are not allowed." });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(value, []);
}

/** Raw-body pre-check: CR/LF anywhere is refused even in fields zod would strip or coerce. */
export function controlCharacterFields(body: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  const walk = (v: unknown, path: string[]) => {
    if (typeof v === "string") {
      const allowNewlines = path.join(".") === "advanced";
      const bad = allowNewlines ? /[\u0000-\u0009\u000b-\u001f\u007f]/ : CONTROL;
      if (bad.test(v)) fields[path.join(".") || "_"] = "Line breaks and control characters are not allowed.";
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, String(i)]));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(body, []);
  return fields;
}

// ---------------------------------------------------------------- access lists

export const ACCESS_USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;

const cidrField = z
  .string()
  .trim()
  .refine((v) => {
    if (v === "all") return true;
    const [ip, prefix, extra] = v.split("/");
    if (extra !== undefined || !ip) return false;
    if (IPV4.test(ip)) return prefix === undefined || (/^\d{1,2}$/.test(prefix) && Number(prefix) <= 32);
    return ip.includes(":") && IPV6.test(ip) && isIPv6(ip) && (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= 128));
  }, "Use an IP address, a CIDR range (10.0.0.0/8) or all.");

export const AccessListSchema = z
  .object({
    name: z.string().trim().min(1, "Name the access list.").max(100).refine((v) => !CONTROL.test(v), "No line breaks."),
    satisfy: z.enum(["any", "all"]).default("all"),
    users: z
      .array(
        z
          .object({
            username: z.string().trim().regex(ACCESS_USERNAME, "Use letters, digits, . _ @ - (at most 64)."),
            /** Omitted on update: keep the stored password. */
            password: z.string().min(8, "Use at least 8 characters.").max(200).refine((v) => !CONTROL.test(v), "No line breaks.").optional(),
          })
          .strict(),
      )
      .max(100)
      .default([]),
    rules: z
      .array(z.object({ action: z.enum(["allow", "deny"]), address: cidrField }).strict())
      .max(500)
      .default([]),
  })
  .strict();
export type AccessListInput = z.infer<typeof AccessListSchema>;

// ---------------------------------------------------------------- certificates

// Certificate requests: app/validation/certificates.ts.

export const AcmeTokenSchema = z.string().regex(ACME_TOKEN_PATTERN, "An ACME token has only letters, digits, _ and -.").max(200);
