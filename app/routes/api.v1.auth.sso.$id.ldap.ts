// Public: LDAP login with a username and password; ends like a password login.
import { requireFeature } from "~/server/edition.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { ldapLogin } from "~/server/sso/ldap-login.server";
import { LdapLoginSchema } from "~/validation/sso";

export const action = api(async ({ request, context, params }) => {
  requireFeature("sso");
  requireMethod(request, "POST");
  const input = await readJson(request, LdapLoginSchema);
  const result = await ldapLogin(params.id!, input, { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined });
  if (result.mfaRequired) return json({ mfaRequired: true, challenge: result.challenge });
  return json({ user: result.user }, { headers: { "Set-Cookie": result.cookie } });
});
