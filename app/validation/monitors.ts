// Schemas for uptime monitors: shared by the API and the Monitors page. A monitor's `config` is
// checked against its type's schema, with zod paths `config.<field>` so every error lands on
// its form control (decision 060).
import { z } from "zod";
import { parseJsonPath } from "#agent/checks/json-path";
import { MaintenanceWindowSchema, type MaintenanceWindow } from "./alerts";
import { normalizeDomain } from "./proxy";

export const MONITOR_TYPES = ["http", "tcp", "ping", "dns", "container", "push"] as const;
export type MonitorType = (typeof MONITOR_TYPES)[number];
/** Types the checker runs. */
export const SUPPORTED_MONITOR_TYPES: readonly MonitorType[] = ["http", "tcp", "ping", "dns", "container", "push"];
export const MONITOR_STATUSES = ["up", "down", "pending", "paused"] as const;
export type MonitorStatus = (typeof MONITOR_STATUSES)[number];

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export const MIN_INTERVAL_SECONDS = 20;

const hostName = z
  .string()
  .trim()
  .min(1, "Enter a host name or address.")
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]_-]+$/, "Letters, digits, dots, colons, dashes only.");

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:";
    } catch {
      return false;
    }
  }, "Enter an http:// or https:// URL.");

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const HttpConfigSchema = z.object({
  url: httpUrl,
  method: z.enum(HTTP_METHODS).default("GET"),
  expectedStatus: z
    .array(z.number().int().min(100, "A status is 100–599.").max(599, "A status is 100–599."))
    .max(50)
    .default([200, 201, 202, 203, 204, 205, 206, 207, 208, 226]),
  keyword: z.string().max(500).nullable().default(null),
  keywordAbsent: z.boolean().default(false),
  /** "JSON path equals": `$.a.b[0]`; with `jsonExpected` null, the path must only exist. */
  jsonPath: z
    .string()
    .trim()
    .max(500)
    .nullable()
    .default(null)
    .transform((v) => (v === "" ? null : v))
    .refine((v) => v === null || parseJsonPath(v) !== null, "A path like $.status or $.items[0].name."),
  jsonExpected: z.string().max(500).nullable().default(null),
  headers: z
    .record(z.string().regex(headerName, "Not a valid header name."), z.string().max(4000).refine((v) => !/[\r\n]/.test(v), "No line breaks in header values."))
    .default({}),
  body: z.string().max(64 * 1024).nullable().default(null),
  timeoutMs: z.number().int().min(500, "At least 500 ms.").max(60_000, "At most 60 s.").default(10_000),
  followRedirects: z.boolean().default(true),
  certExpiryDays: z.number().int().min(0).max(365).nullable().default(null),
});

export const TcpConfigSchema = z.object({
  host: hostName,
  port: z.number().int().min(1, "A port is 1–65535.").max(65535, "A port is 1–65535."),
});

export const PingConfigSchema = z.object({
  host: hostName,
  /** Where the check connects over TCP when this machine may not send ICMP (decision 060). */
  port: z.number().int().min(1, "A port is 1–65535.").max(65535, "A port is 1–65535.").default(80),
});
export const DnsConfigSchema = z.object({
  name: hostName,
  recordType: z.enum(["A", "AAAA", "CNAME", "MX", "TXT", "NS"]).default("A"),
  expected: z.string().max(500).nullable().default(null),
  /** The DNS server to ask ("host", "host:port", "[v6]:port"); none: the control plane's resolvers. */
  server: z
    .string()
    .trim()
    .max(300)
    .regex(/^(\[[0-9A-Fa-f:.]+\](:\d{1,5})?|[A-Za-z0-9.:_-]+)$/, "A host, host:port or [IPv6]:port.")
    .nullable()
    .default(null)
    .transform((v) => (v === "" ? null : v)),
});
export const ContainerConfigSchema = z.object({
  agentId: z.string().uuid("Not an agent id."),
  containerName: z.string().trim().min(1, "Name the container.").max(255).regex(/^\/?[A-Za-z0-9][A-Za-z0-9_.-]*$/, "Not a container name."),
});
export const PushConfigSchema = z.object({}).strip();

export const MonitorConfigSchemas = {
  http: HttpConfigSchema,
  tcp: TcpConfigSchema,
  ping: PingConfigSchema,
  dns: DnsConfigSchema,
  container: ContainerConfigSchema,
  push: PushConfigSchema,
} as const;

export type HttpConfig = z.infer<typeof HttpConfigSchema>;
export type TcpConfig = z.infer<typeof TcpConfigSchema>;
export type PingConfig = z.infer<typeof PingConfigSchema>;
export type DnsConfig = z.infer<typeof DnsConfigSchema>;
export type ContainerConfig = z.infer<typeof ContainerConfigSchema>;

const baseFields = {
  name: z.string().trim().min(1, "Give the monitor a name.").max(100, "At most 100 characters."),
  intervalSeconds: z.number().int("Whole seconds.").min(MIN_INTERVAL_SECONDS, `At least ${MIN_INTERVAL_SECONDS} seconds.`).max(86_400, "At most a day."),
  retries: z.number().int().min(0, "0–10.").max(10, "0–10."),
  channelIds: z.array(z.string().uuid("Not a channel id.")).max(20),
  agentId: z.string().uuid("Not an agent id.").nullable(),
  enabled: z.boolean(),
  /** Re-notify every N failed checks while still down; 0: once (decision 062). */
  resendEvery: z.number().int("Whole checks.").min(0, "0–1000.").max(1000, "0–1000."),
  /** When no notification goes out and status pages say "maintenance" (the alert rules' windows). */
  maintenance: z.array(MaintenanceWindowSchema).max(50, "At most 50 windows."),
};

/** Checks `config` against the type's schema and puts its defaults in. */
function withTypedConfig<T extends { type: MonitorType; config: unknown }>(value: T, ctx: z.RefinementCtx): T {
  if (!(SUPPORTED_MONITOR_TYPES as readonly string[]).includes(value.type)) {
    ctx.addIssue({ code: "custom", path: ["type"], message: `${value.type} monitors are not supported yet.` });
    return value;
  }
  const parsed = MonitorConfigSchemas[value.type].safeParse(value.config ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: ["config", ...issue.path.map(String)], message: issue.message });
    return value;
  }
  return { ...value, config: parsed.data };
}

export const CreateMonitorSchema = z
  .object({
    ...baseFields,
    type: z.enum(MONITOR_TYPES),
    config: z.record(z.string(), z.unknown()).default({}),
    intervalSeconds: baseFields.intervalSeconds.default(60),
    retries: baseFields.retries.default(0),
    channelIds: baseFields.channelIds.default([]),
    agentId: baseFields.agentId.default(null),
    enabled: baseFields.enabled.default(true),
    resendEvery: baseFields.resendEvery.default(0),
    maintenance: baseFields.maintenance.default([]),
  })
  .transform((value, ctx) => withTypedConfig(value, ctx));
export type CreateMonitorInput = z.infer<typeof CreateMonitorSchema>;

/** Any subset; `config` fields merge into the stored config and the result is checked whole. */
export const UpdateMonitorSchema = z.object({
  name: baseFields.name.optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  intervalSeconds: baseFields.intervalSeconds.optional(),
  retries: baseFields.retries.optional(),
  channelIds: baseFields.channelIds.optional(),
  agentId: baseFields.agentId.optional(),
  enabled: baseFields.enabled.optional(),
  resendEvery: baseFields.resendEvery.optional(),
  maintenance: baseFields.maintenance.optional(),
});
export type UpdateMonitorInput = z.infer<typeof UpdateMonitorSchema>;

export const ResultsQuerySchema = z.object({
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

/** What the Monitors page and API show for a monitor. */
export interface MonitorDto {
  id: string;
  name: string;
  type: MonitorType;
  config: Record<string, unknown>;
  intervalSeconds: number;
  retries: number;
  channelIds: string[];
  agentId: string | null;
  enabled: boolean;
  resendEvery: number;
  maintenance: MaintenanceWindow[];
  /** Inside one of its maintenance windows now: no notifications, "maintenance" on status pages. */
  inMaintenance: boolean;
  status: MonitorStatus;
  lastCheckAt: string | null;
  latencyMs: number | null;
  message: string | null;
  uptime: { h24: number | null; d7: number | null; d30: number | null; d90: number | null };
  /** Average and p95 latency of successful checks per window, from raw results and rollups (decision 061). */
  latency: Record<"h24" | "d7" | "d30" | "d90", { avgMs: number | null; p95Ms: number | null }>;
  pushUrl?: string;
  createdAt: string;
  updatedAt: string;
}

const slug = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, "At least 2 characters.")
  .max(60, "At most 60 characters.")
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "Lowercase letters, digits and dashes; no dash at either end.");

const pageTitle = z.string().trim().min(1, "Give the page a title.").max(100, "At most 100 characters.");
const monitorIdList = z.array(z.string().uuid("Not a monitor id.")).max(100, "At most 100 monitors.");
const GroupSchema = z.object({
  name: z.string().trim().max(100, "At most 100 characters."),
  monitorIds: monitorIdList,
});
/** An image shown on the public page: http(s) only (no javascript:, data: or file: URLs). */
const logoUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => v === "" || /^https?:\/\/[^\s"'<>]+$/i.test(v), "Use an http:// or https:// image URL.")
  .nullable()
  .transform((v) => (v === "" ? null : v));
/** An uploaded logo as a data URL (checked by its bytes on the server: PNG, JPEG, GIF or WebP, ≤ 256 KB). */
const logoData = z.string().max(400_000, "The logo is larger than 256 KB.").nullable();

/**
 * The host name the page is also served on through InfraPilot's own nginx (decision 140): one
 * full name (no wildcard, at least two labels), IDN as punycode; "" or null removes it.
 */
const customDomain = z
  .string()
  .nullable()
  .transform((v, ctx) => {
    if (v === null || v.trim() === "") return null;
    const r = normalizeDomain(v);
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.error });
      return z.NEVER;
    }
    if (r.value.startsWith("*.")) {
      ctx.addIssue({ code: "custom", message: "A status page is served on one name, not a wildcard." });
      return z.NEVER;
    }
    if (!r.value.includes(".")) {
      ctx.addIssue({ code: "custom", message: "Use a full name such as status.example.com." });
      return z.NEVER;
    }
    return r.value;
  });

const pageFields = {
  slug,
  customDomain,
  title: pageTitle,
  description: z.string().trim().max(2000, "At most 2000 characters."),
  monitorIds: monitorIdList,
  groups: z.array(GroupSchema).max(20, "At most 20 groups."),
  logoUrl,
  logo: logoData,
};

export const CreateStatusPageSchema = z.object({
  ...pageFields,
  description: pageFields.description.default(""),
  monitorIds: pageFields.monitorIds.default([]),
  groups: pageFields.groups.default([]),
  logoUrl: pageFields.logoUrl.default(null),
  logo: pageFields.logo.default(null),
  customDomain: pageFields.customDomain.default(null),
});
export const UpdateStatusPageSchema = z.object(pageFields).partial();
export type CreateStatusPageInput = z.infer<typeof CreateStatusPageSchema>;
export type UpdateStatusPageInput = z.infer<typeof UpdateStatusPageSchema>;

export const POST_KINDS = ["incident", "maintenance"] as const;
export const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"] as const;
export const MAINTENANCE_STATUSES = ["scheduled", "in_progress", "completed"] as const;
const when = z.iso.datetime({ offset: true, message: "Enter a date and time." }).nullable();

const postFields = {
  kind: z.enum(POST_KINDS, { message: "incident or maintenance." }),
  title: z.string().trim().min(1, "Give the post a title.").max(200, "At most 200 characters."),
  body: z.string().trim().max(5000, "At most 5000 characters."),
  status: z.enum([...INCIDENT_STATUSES, ...MAINTENANCE_STATUSES], { message: "Not a status." }),
  startsAt: when,
  endsAt: when,
};
function postRules(v: { kind?: string; status?: string; startsAt?: string | null; endsAt?: string | null }, ctx: z.RefinementCtx): void {
  if (v.kind && v.status) {
    const allowed: readonly string[] = v.kind === "incident" ? INCIDENT_STATUSES : MAINTENANCE_STATUSES;
    if (!allowed.includes(v.status)) ctx.addIssue({ code: "custom", path: ["status"], message: `A ${v.kind} is ${allowed.join(", ")}.` });
  }
  if (v.kind === "maintenance" && v.startsAt === null) ctx.addIssue({ code: "custom", path: ["startsAt"], message: "When does the maintenance start?" });
  if (v.startsAt && v.endsAt && Date.parse(v.endsAt) <= Date.parse(v.startsAt)) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "The end must be after the start." });
}
export const CreatePostSchema = z
  .object({ ...postFields, body: postFields.body.default(""), startsAt: postFields.startsAt.default(null), endsAt: postFields.endsAt.default(null) })
  .superRefine(postRules);
/** An update of a post: a new status and text; `resolved`/`completed` closes it. */
export const UpdatePostSchema = z.object({ title: postFields.title, body: postFields.body, status: postFields.status, startsAt: postFields.startsAt, endsAt: postFields.endsAt }).partial();
export type CreatePostInput = z.infer<typeof CreatePostSchema>;
export type UpdatePostInput = z.infer<typeof UpdatePostSchema>;

export interface PostDto {
  id: string;
  kind: (typeof POST_KINDS)[number];
  title: string;
  body: string;
  status: string;
  startsAt: string | null;
  endsAt: string | null;
  resolvedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type PublicMonitorStatus = MonitorStatus | "maintenance";
export interface PublicMonitor {
  name: string;
  status: PublicMonitorStatus;
  uptime: { h24: number | null; d7: number | null; d30: number | null; d90: number | null };
}

/** What a public status page shows: the chosen monitors' name, status and uptime, and its posts. */
export interface PublicStatusPage {
  title: string;
  description: string;
  logoUrl: string | null;
  monitors: PublicMonitor[];
  groups: { name: string; monitors: PublicMonitor[] }[];
  /** Open incidents, incidents resolved in the last 7 days, and maintenance not completed. */
  posts: Omit<PostDto, "id">[];
  /** up: all up; degraded: some down; maintenance: none down, some in maintenance. */
  overall: "up" | "degraded" | "maintenance" | "empty";
}
