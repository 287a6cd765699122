// Remote agents (SaaS): enrollment tokens, the enrollment exchange and renaming an agent. Shared
// by the API routes and the agents page's forms.
import { z } from "zod";

const name = z.string({ message: "Name it." }).trim().min(1, "Name it.").max(100, "Use at most 100 characters.");

export const CreateEnrollmentTokenSchema = z.object({
  name,
  expiresAt: z.iso
    .datetime({ offset: true, message: "Use an ISO-8601 date and time." })
    .transform((v) => new Date(v))
    .refine((d) => d.getTime() > Date.now(), "Pick a time in the future.")
    .refine((d) => d.getTime() <= Date.now() + 366 * 24 * 3600_000, "Pick a time within a year."),
  maxUses: z.number({ message: "Give a whole number of uses." }).int("Give a whole number of uses.").min(1, "At least one use.").max(1000, "At most 1000 uses."),
});

/** An agent name: what the list shows (letters, digits, dot, dash, underscore, space). */
export const AgentNameSchema = z
  .string({ message: "Name the agent." })
  .trim()
  .min(1, "Name the agent.")
  .max(63, "Use at most 63 characters.")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._ -]*$/, "Use letters, digits, dots, dashes, underscores and spaces.");

export const RenameAgentSchema = z.object({ name: AgentNameSchema });

const SPKI_PEM = /^-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]{40,200}\r?\n-----END PUBLIC KEY-----\r?\n?$/;

export const EnrollSchema = z.object({
  token: z.string({ message: "Send the enrollment token." }).min(10, "Send the enrollment token.").max(200, "That is not an enrollment token."),
  name: AgentNameSchema.optional(),
  publicKey: z.string({ message: "Send the agent's Ed25519 public key." }).regex(SPKI_PEM, "Send an Ed25519 public key as SPKI PEM."),
  hostname: z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9._-]+$/, "A host name has letters, digits, dots, dashes and underscores.").optional(),
});
export type EnrollInput = z.infer<typeof EnrollSchema>;
