// Shared by server and browser: why an SSO login was refused, as a code in the login page's URL
// (`?sso_error=`) and the sentence the page shows for it. Codes, not free text: the URL cannot be
// used to put words on our login page.
export const SSO_ERRORS = {
  expired: "This sign-in has expired or was already used. Start again.",
  other_browser: "This sign-in was started in another browser or tab that has since closed. Start again.",
  no_email: "Your identity provider did not send an e-mail address. Ask an administrator.",
  email_unverified: "Your identity provider has not verified your e-mail address, so it cannot be matched to an account.",
  no_account: "There is no account for you in this organization. Ask an administrator to invite you.",
  disabled: "This account is disabled. Ask an administrator to enable it.",
  idp: "Your identity provider did not sign you in.",
  failed: "Single sign-on failed: the identity provider's answer did not pass our checks. Ask an administrator to look at the audit log.",
} as const;
export type SsoErrorCode = keyof typeof SSO_ERRORS;

export function ssoErrorMessage(code: string | null): string | undefined {
  return code && code in SSO_ERRORS ? SSO_ERRORS[code as SsoErrorCode] : undefined;
}
