import { requireInteractiveSession } from "~/server/auth/require.server";
import { api, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { changePassword } from "~/server/users/account.server";
import { ChangePasswordSchema } from "~/validation/auth";

export const action = api(async ({ request, context }) => {
  requireMethod(request, "POST");
  await changePassword(await requireInteractiveSession(request, context, { allowMfaSetup: true, allowPasswordChange: true }), await readJson(request, ChangePasswordSchema));
  return noContent();
});
