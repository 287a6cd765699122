import { requireMfaEnrollee } from "~/server/auth/require.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { enableMfa } from "~/server/mfa/mfa.server";
import { MfaEnableSchema } from "~/validation/auth";

export const action = api(async ({ request, context }) => {
  requireMethod(request, "POST");
  const actor = await requireMfaEnrollee(request, context);
  return json(await enableMfa(actor, (await readJson(request, MfaEnableSchema)).code));
});
