// Audit compliance settings (SaaS): shared by the API, the page and the domain module.
import { z } from "zod";

export const AUDIT_RETENTION_MIN_DAYS = 30;
export const AUDIT_RETENTION_MAX_DAYS = 365;

export const AuditSettingsSchema = z
  .object({
    retentionDays: z
      .number({ message: "Enter a number of days." })
      .int("Enter a whole number of days.")
      .min(AUDIT_RETENTION_MIN_DAYS, `Keep the audit trail at least ${AUDIT_RETENTION_MIN_DAYS} days.`)
      .max(AUDIT_RETENTION_MAX_DAYS, `Keep it at most ${AUDIT_RETENTION_MAX_DAYS} days.`)
      .optional(),
    immutable: z.boolean({ message: "Use true or false." }).optional(),
  })
  .strict();
export type AuditSettingsInput = z.infer<typeof AuditSettingsSchema>;

export interface AuditSettingsDto {
  retentionDays: number;
  immutable: boolean;
  immutableSince: string | null;
  usage: { entries: number; oldest: string | null; checkpoints: number };
}
