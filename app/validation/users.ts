// Schemas shared by the user-management forms and the API.
import { z } from "zod";
import { ROLES, TOKEN_SCOPES } from "~/permissions";
import { emailField } from "./auth";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password-policy";

const name = z.string({ message: "Enter a name." }).trim().min(1, "Enter a name.").max(100, "Use at most 100 characters.");
const role = z.enum(ROLES, { message: `Choose one of: ${ROLES.join(", ")}.` });

export const CreateUserSchema = z.object({
  email: emailField,
  name,
  role,
  password: z
    .string()
    .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters, or leave it empty to send an invitation link.`)
    .max(PASSWORD_MAX_LENGTH)
    .optional()
    .or(z.literal("").transform(() => undefined)),
});

export const UpdateUserSchema = z
  .object({
    name: name.optional(),
    role: role.optional(),
    disabled: z.boolean({ message: "Use true or false." }).optional(),
  })
  .strict()
  .refine((v) => v.name !== undefined || v.role !== undefined || v.disabled !== undefined, { message: "Send name, role or disabled." });

export const CreateTokenSchema = z.object({
  name: z.string({ message: "Name the token." }).trim().min(1, "Name the token.").max(100, "Use at most 100 characters."),
  scope: z.enum(TOKEN_SCOPES, { message: "Choose read, operate or admin." }),
  expiresAt: z.iso
    .datetime({ offset: true, message: "Use an ISO-8601 date and time." })
    .transform((v) => new Date(v))
    .nullable()
    .optional(),
});

export const AcceptInvitationSchema = z.object({
  password: z.string().min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`).max(PASSWORD_MAX_LENGTH),
});

const isoDate = z.iso.datetime({ offset: true, message: "Use an ISO-8601 date and time." }).transform((v) => new Date(v));

export const AuditQuerySchema = z.object({
  actor: z.string().max(254).optional(),
  action: z.string().max(100).optional(),
  target: z.string().max(200).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  limit: z.coerce.number().int().min(1).max(500, "At most 500.").optional(),
  cursor: z.string().regex(/^\d+$/, "Use the nextCursor of the previous page.").optional(),
});

export const ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500, "At most 500.").optional(),
  cursor: z.string().max(100).optional(),
});
