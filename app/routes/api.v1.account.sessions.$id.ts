import { requireInteractiveSession } from "~/server/auth/require.server";
import { api, noContent, requireMethod } from "~/server/http/api.server";
import { revokeSession } from "~/server/users/account.server";

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "DELETE");
  await revokeSession(await requireInteractiveSession(request, context), params.id!);
  return noContent();
});
