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

// ---------------------------------------------------------------- forwarders (decision 146)

/** Types the API contract names; only syslog is built so far (the others answer a field error). */
export const AUDIT_FORWARDER_TYPES = ["webhook", "syslog", "splunk", "s3"] as const;
export const AUDIT_FORWARDER_BUILT = ["syslog"] as const;

export const SyslogForwarderConfigSchema = z
  .object({
    host: z
      .string({ message: "Enter the receiver's host name or address." })
      .trim()
      .min(1, "Enter the receiver's host name or address.")
      .max(253, "A host name has at most 253 characters.")
      .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.:_-]+)$/, "Use a host name or an IP address (no scheme, port or path)."),
    port: z.number({ message: "Enter a port number." }).int("Enter a whole port number.").min(1, "Ports run from 1 to 65535.").max(65535, "Ports run from 1 to 65535."),
    protocol: z.enum(["udp", "tcp", "tls"], { message: "Choose udp, tcp or tls." }),
    caCertPem: z
      .string()
      .max(20_000, "That certificate is too long.")
      .refine((v) => v.trim() === "" || /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(v), "Paste a PEM certificate (-----BEGIN CERTIFICATE----- …).")
      .optional()
      .nullable(),
  })
  .strict();
export type SyslogForwarderConfig = z.infer<typeof SyslogForwarderConfigSchema>;

const typeField = z.enum(AUDIT_FORWARDER_TYPES, { message: `Choose one of ${AUDIT_FORWARDER_TYPES.join(", ")}.` }).refine((t) => (AUDIT_FORWARDER_BUILT as readonly string[]).includes(t), {
  message: "Only syslog forwarders are available so far.",
});

export const AuditForwarderCreateSchema = z
  .object({
    type: typeField,
    config: SyslogForwarderConfigSchema,
    enabled: z.boolean({ message: "Use true or false." }).optional(),
  })
  .strict();
export type AuditForwarderCreateInput = z.infer<typeof AuditForwarderCreateSchema>;

export const AuditForwarderPatchSchema = z
  .object({
    config: SyslogForwarderConfigSchema.optional(),
    enabled: z.boolean({ message: "Use true or false." }).optional(),
  })
  .strict();
export type AuditForwarderPatchInput = z.infer<typeof AuditForwarderPatchSchema>;

export interface AuditForwarderDto {
  id: string;
  type: string;
  config: SyslogForwarderConfig;
  enabled: boolean;
  /** The newest entry the destination acknowledged ("0": none yet). */
  lastForwardedId: string;
  lastForwardedAt: string | null;
  /** Entries after the cursor, still to send. */
  lagEntries: number;
  lastError: string | null;
  lastErrorAt: string | null;
  failures: number;
  nextAttemptAt: string;
  createdAt: string;
}
