// Schemas for the persisted-logs API and page: filters, pagination, export, settings.
import { z } from "zod";

export const LOG_LEVELS = ["error", "warn", "info", "debug", "unknown"] as const;
export const MAX_RETENTION_DAYS = 365;

const isoDate = z.iso.datetime({ offset: true, message: "Use an ISO-8601 date and time." }).transform((v) => new Date(v));
/** A parameter that may repeat (`containerId=a&containerId=b`) or hold a comma-separated list. */
const list = <T extends z.ZodType<string, string>>(item: T, max: number) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item).max(max, `At most ${max} values.`));

const id = z.string().min(1).max(128).regex(/^[\w.:-]+$/, "Not a valid id.");

export const LogFilterSchema = z.object({
  agentId: id.optional(),
  containerId: list(id, 100).optional(),
  stack: z.string().max(200).optional(),
  proxyHostId: id.optional(),
  level: list(z.enum(LOG_LEVELS, { message: `Use ${LOG_LEVELS.join(", ")}.` }), LOG_LEVELS.length).optional(),
  q: z.string().max(500, "Use at most 500 characters.").optional(),
  regex: z.enum(["true", "false"], { message: "Use true or false." }).transform((v) => v === "true").optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});
export type LogFilterInput = z.infer<typeof LogFilterSchema>;

export const LogQuerySchema = LogFilterSchema.extend({
  limit: z.coerce.number().int().min(1).max(500, "At most 500.").optional(),
  cursor: z.string().max(200).regex(/^[\w-]+$/, "Use the nextCursor of the previous page.").optional(),
});

export const LogExportSchema = LogFilterSchema.extend({
  format: z.enum(["csv", "ndjson"], { message: "Use csv or ndjson." }).default("ndjson"),
});

export const LogSettingsSchema = z
  .object({
    retentionDays: z
      .number({ message: "Use a whole number of days." })
      .int("Use a whole number of days.")
      .min(1, "Keep logs at least 1 day.")
      .max(MAX_RETENTION_DAYS, `Keep logs at most ${MAX_RETENTION_DAYS} days.`),
  })
  .strict();

export const LogSettingsFormSchema = z.object({
  retentionDays: z.coerce.number({ message: "Use a whole number of days." }).int("Use a whole number of days.").min(1, "Keep logs at least 1 day.").max(MAX_RETENTION_DAYS, `Keep logs at most ${MAX_RETENTION_DAYS} days.`),
});

/** Query-string parameters as the schemas expect them: repeatable ones as arrays. */
export function searchParamsToInput(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key).filter((v) => v !== "");
    if (values.length === 0) continue;
    out[key] = key === "containerId" || key === "level" ? values : values[values.length - 1]!;
  }
  return out;
}
