import { requireMfaEnrollee } from "~/server/auth/require.server";
import { api, json, requireMethod } from "~/server/http/api.server";
import { beginMfaSetup } from "~/server/mfa/mfa.server";

export const action = api(async ({ request, context }) => {
  requireMethod(request, "POST");
  const { secret, otpauthUrl } = await beginMfaSetup(await requireMfaEnrollee(request, context));
  return json({ secret, otpauthUrl });
});
