// The browser side of an SSO login's end: the TOTP hand-off from the OIDC callback to the login
// page (a short-lived HttpOnly cookie, never the URL), and the refusal code the page shows.
import { parse, serialize } from "cookie";
import type { SsoErrorCode } from "~/sso-messages";
import { env } from "../env.server";

const MFA_COOKIE = "infrapilot_sso_mfa";

export function mfaHandOffCookie(challenge: string): string {
  return serialize(MFA_COOKIE, challenge, { httpOnly: true, sameSite: "lax", secure: env().secureCookies, path: "/login", maxAge: 300 });
}

export function readMfaHandOff(cookieHeader: string | null): string | null {
  const v = parse(cookieHeader ?? "")[MFA_COOKIE];
  return v && /^[A-Za-z0-9_-]{20,100}$/.test(v) ? v : null;
}

/** Pure: the login page's code for an audited refusal reason (sign-in.server.ts, oidc-login.server.ts). */
export function denialCode(reason: string): SsoErrorCode {
  if (/state/.test(reason) && /browser/.test(reason)) return "other_browser";
  if (/state/.test(reason)) return "expired";
  if (reason === "no email") return "no_email";
  if (reason === "email not verified") return "email_unverified";
  if (/^(no account|account outside|not a member)/.test(reason)) return "no_account";
  if (reason === "account disabled") return "disabled";
  if (reason.startsWith("idp error")) return "idp";
  return "failed";
}

export function clearMfaHandOff(): string {
  return serialize(MFA_COOKIE, "", { httpOnly: true, sameSite: "lax", secure: env().secureCookies, path: "/login", maxAge: 0 });
}
