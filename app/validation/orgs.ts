// Schemas shared by the SaaS organization forms and the API: sign-up, organizations, members,
// invitations (docs/decisions/090–094).
import { z } from "zod";
import { ROLES } from "~/permissions";
import { emailField } from "./auth";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password-policy";

const personName = z.string({ message: "Enter your name." }).trim().min(1, "Enter your name.").max(100, "Use at most 100 characters.");
export const orgName = z
  .string({ message: "Name the organization." })
  .trim()
  .min(2, "Use at least 2 characters.")
  .max(80, "Use at most 80 characters.")
  .refine((v) => /[\p{L}\p{N}]/u.test(v), "Use at least one letter or digit.");
const password = z
  .string({ message: "Choose a password." })
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);
const role = z.enum(ROLES, { message: `Choose one of: ${ROLES.join(", ")}.` });
const id = z.string({ message: "Choose an organization." }).regex(/^[0-9a-f-]{36}$/i, "Choose an organization.");

export const SignupSchema = z.object({ email: emailField, name: personName, password, orgName });
export const CreateOrgSchema = z.object({ name: orgName });
export const RenameOrgSchema = z.object({ name: orgName }).strict();
export const SwitchOrgSchema = z.object({ orgId: id });
export const DeleteOrgSchema = z.object({ confirm: z.string({ message: "Type the organization's slug to confirm." }).trim().min(1, "Type the organization's slug to confirm.").max(100) });
export const ChangeMemberRoleSchema = z.object({ role }).strict();
export const CreateInvitationSchema = z.object({ email: emailField, role });
/** Accepting as a new account; a logged-in user sends nothing. */
export const AcceptInvitationAsNewSchema = z.object({ name: personName, password });

/** The header a page's fetches carry: the organization the page was rendered for (decision 090). */
export const ORG_HEADER = "x-infrapilot-org";
