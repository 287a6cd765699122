// Schemas for alert channels, rules and history: shared by the API and the alerts page.
// A channel's `config` arrives with its secrets in it; SECRET_FIELDS says which keys are sealed
// at rest and never returned.
import { z } from "zod";

export const CHANNEL_TYPES = ["smtp", "slack", "webhook", "discord", "teams", "telegram", "ntfy", "gotify"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const RULE_TYPES = [
  "container_crash",
  "container_stopped",
  "restart_count",
  "cpu",
  "memory",
  "health_unhealthy",
  "cert_expiry",
  "cert_renewal_failed",
  "proxy_apply_failed",
  "disk",
  "monitor_down",
  "monitor_cert_expiry",
] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/** Rule types that need a threshold, and what it means. */
export const THRESHOLD_MEANING: Partial<Record<RuleType, string>> = {
  restart_count: "restarts within the window",
  cpu: "% of one CPU, averaged over the window",
  memory: "% of the memory limit, averaged over the window",
  cert_expiry: "days before expiry",
  disk: "% of the data directory's disk used",
};

export const SECRET_FIELDS: Record<ChannelType, readonly string[]> = {
  smtp: ["password"],
  slack: ["webhookUrl"],
  webhook: ["secret", "headers"],
  discord: ["webhookUrl"],
  teams: ["webhookUrl"],
  telegram: ["botToken"],
  ntfy: ["token"],
  gotify: ["token"],
};

/** An e-mail address that cannot smuggle extra SMTP headers. */
const mailbox = z
  .string({ message: "Enter an e-mail address." })
  .trim()
  .max(254)
  .refine((v) => !/[\r\n\0]/.test(v), "Must not contain line breaks.")
  .pipe(z.email({ message: "Enter a valid e-mail address." }));

const httpUrl = z
  .string({ message: "Enter a URL." })
  .trim()
  .max(2000, "Use at most 2000 characters.")
  .refine((v) => /^https?:\/\//i.test(v), "Use an http:// or https:// URL.");

const optionalSecret = z.string().max(2000).optional().nullable();
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "Not a valid header name.");
const headerValue = z.string().max(2000).refine((v) => !/[\r\n\0]/.test(v), "Header values must not contain line breaks.");

export const ChannelConfigSchemas = {
  smtp: z.object({
    host: z.string().trim().min(1, "Enter the SMTP host.").max(253).refine((v) => !/[\s\r\n/@]/.test(v), "Not a valid host name."),
    port: z.coerce.number().int().min(1).max(65535).default(587),
    tls: z.enum(["none", "starttls", "tls"], { message: "Use none, starttls or tls." }).default("starttls"),
    username: z.string().max(254).refine((v) => !/[\r\n]/.test(v), "Must not contain line breaks.").optional().nullable(),
    password: optionalSecret,
    from: mailbox,
    to: z.array(mailbox).min(1, "Add at least one recipient.").max(50),
  }),
  slack: z.object({ webhookUrl: httpUrl }),
  webhook: z.object({
    url: httpUrl,
    secret: z.string().max(500).optional().nullable(),
    headers: z.record(headerName, headerValue).optional().nullable(),
  }),
  discord: z.object({ webhookUrl: httpUrl }),
  teams: z.object({ webhookUrl: httpUrl }),
  telegram: z.object({
    botToken: z.string().trim().regex(/^\d+:[A-Za-z0-9_-]{10,}$/, "Use the token BotFather gave you (123456:ABC…)."),
    chatId: z.string().trim().regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,64})$/, "Use a numeric chat id or @channelname."),
    apiUrl: httpUrl.default("https://api.telegram.org"),
  }),
  ntfy: z.object({
    serverUrl: httpUrl.default("https://ntfy.sh"),
    topic: z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, "Use letters, digits, - and _ (at most 64)."),
    token: optionalSecret,
    priority: z.coerce.number().int().min(1).max(5).default(4),
  }),
  gotify: z.object({
    serverUrl: httpUrl,
    token: z.string().trim().min(1, "Enter the application token.").max(200),
    priority: z.coerce.number().int().min(0).max(10).default(8),
  }),
} satisfies Record<ChannelType, z.ZodObject>;

const channelName = z.string({ message: "Name the channel." }).trim().min(1, "Name the channel.").max(100, "Use at most 100 characters.");

export const CreateChannelSchema = z.object({
  name: channelName,
  type: z.enum(CHANNEL_TYPES, { message: `Choose one of: ${CHANNEL_TYPES.join(", ")}.` }),
  config: z.record(z.string(), z.unknown()).default({}),
});

/** Secrets left out of `config` keep their stored value; `null` clears an optional one. */
export const UpdateChannelSchema = z
  .object({ name: channelName.optional(), config: z.record(z.string(), z.unknown()).optional() })
  .strict()
  .refine((v) => v.name !== undefined || v.config !== undefined, { message: "Send name or config." });

const scopeSchema = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z.object({ stack: z.string().trim().min(1, "Enter the stack's name.").max(200) }).strict(),
  z.object({ namePattern: z.string().trim().min(1, "Enter a name pattern (web-*).").max(200) }).strict(),
  z.object({ label: z.string().trim().min(1, "Enter a label (key or key=value).").max(400) }).strict(),
], { message: "Use {all: true}, {stack}, {namePattern} or {label: \"key\" | \"key=value\"}." });
export type RuleScope = z.infer<typeof scopeSchema>;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use HH:MM (UTC).");
const when = z.iso.datetime({ offset: true, message: "Enter a date and time." });
/** An absolute window: muted from `start` to `end`. */
export const OnceWindowSchema = z
  .object({ start: when, end: when })
  .strict()
  .refine((w) => Date.parse(w.end) > Date.parse(w.start), { path: ["end"], message: "The end must be after the start." });
/** A weekly window in UTC: on these weekdays (0 = Sunday) from `from` to `to`; overnight allowed. */
export const WeeklyWindowSchema = z.object({ weekdays: z.array(z.number().int().min(0).max(6)).min(1, "Pick at least one day.").max(7), from: hhmm, to: hhmm }).strict();
export const MaintenanceWindowSchema = z.union([OnceWindowSchema, WeeklyWindowSchema]);
export type MaintenanceWindow = z.infer<typeof MaintenanceWindowSchema>;

const ruleFields = {
  name: z.string({ message: "Name the rule." }).trim().min(1, "Name the rule.").max(100, "Use at most 100 characters."),
  type: z.enum(RULE_TYPES, { message: `Choose one of: ${RULE_TYPES.join(", ")}.` }),
  scope: scopeSchema,
  threshold: z.number().min(0).max(100_000).nullable(),
  windowSeconds: z.number().int().min(10, "At least 10 seconds.").max(86_400, "At most a day."),
  cooldownSeconds: z.number().int().min(0).max(7 * 86_400),
  channelIds: z.array(z.string().uuid("Not a channel id.")).max(20),
  notifyOnResolve: z.boolean(),
  enabled: z.boolean(),
  maintenance: z.array(MaintenanceWindowSchema).max(50),
};

export const CreateRuleSchema = z
  .object({
    ...ruleFields,
    scope: ruleFields.scope.default({ all: true }),
    threshold: ruleFields.threshold.optional().default(null),
    windowSeconds: ruleFields.windowSeconds.default(300),
    cooldownSeconds: ruleFields.cooldownSeconds.default(900),
    channelIds: ruleFields.channelIds.default([]),
    notifyOnResolve: ruleFields.notifyOnResolve.default(false),
    enabled: ruleFields.enabled.default(true),
    maintenance: ruleFields.maintenance.default([]),
  })
  .strict()
  .superRefine(requireThreshold);

export const UpdateRuleSchema = z.object(ruleFields).partial().strict();

export type CreateRuleInput = z.infer<typeof CreateRuleSchema>;
export type UpdateRuleInput = z.infer<typeof UpdateRuleSchema>;

export function requireThreshold(rule: { type: RuleType; threshold: number | null }, ctx: z.RefinementCtx): void {
  const meaning = THRESHOLD_MEANING[rule.type];
  if (meaning && (rule.threshold === null || rule.threshold === undefined)) {
    ctx.addIssue({ code: "custom", path: ["threshold"], message: `Set a threshold (${meaning}).` });
  }
}

export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});

export const HistoryQuerySchema = ListQuerySchema.extend({
  ruleId: z.string().uuid().optional(),
  state: z.enum(["firing", "resolved"]).optional(),
  acknowledged: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
  q: z.string().max(200).optional(),
  /** Only these alerts (comma-separated ids): the "Details" link of a notification. */
  alert: z
    .string()
    .regex(/^[0-9a-f-]{36}(,[0-9a-f-]{36}){0,49}$/i, "Use alert ids separated by commas.")
    .optional(),
  /** Fired at or after / at or before (ISO times). */
  from: z.iso.datetime({ offset: true, message: "Use an ISO date and time." }).optional(),
  to: z.iso.datetime({ offset: true, message: "Use an ISO date and time." }).optional(),
}).refine((v) => !v.from || !v.to || Date.parse(v.to) >= Date.parse(v.from), { path: ["to"], message: "The end must not be before the start." });
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;
