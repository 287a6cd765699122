// Schemas shared by the forms and the API for setup and login.
import { z } from "zod";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password-policy";

export const emailField = z
  .string({ message: "Enter an e-mail address." })
  .trim()
  .toLowerCase()
  .max(254, "Use at most 254 characters.")
  .pipe(z.email({ message: "Enter a valid e-mail address." }));

export const LoginSchema = z.object({
  email: emailField,
  password: z.string({ message: "Enter your password." }).min(1, "Enter your password.").max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`),
});

export const SetupSchema = z.object({
  email: emailField,
  name: z.string({ message: "Enter your name." }).trim().min(1, "Enter your name.").max(100, "Use at most 100 characters."),
  password: z
    .string({ message: "Choose a password." })
    .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
    .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`),
  /** Only asked of clients that are not on InfraPilot's own machine (see setup-code.server.ts). */
  setupCode: z.string().trim().max(64, "Use at most 64 characters.").optional(),
});

export const MfaCodeField = z
  .string({ message: "Enter the code." })
  .trim()
  .min(6, "Enter the 6-digit code or a backup code.")
  .max(20, "Enter the 6-digit code or a backup code.");

export const MfaVerifySchema = z.object({ challenge: z.string().min(1).max(100), code: MfaCodeField });
export const MfaEnableSchema = z.object({ code: MfaCodeField });
export const MfaDisableSchema = z.object({ password: z.string().min(1, "Enter your password.").max(256), code: MfaCodeField });

export const ChangePasswordSchema = z.object({
  currentPassword: z.string().min(1, "Enter your current password.").max(256),
  newPassword: z.string().min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`).max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`),
});

export const ForgotPasswordSchema = z.object({ email: emailField });
