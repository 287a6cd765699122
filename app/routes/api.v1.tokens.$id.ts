import { requireInteractiveSession } from "~/server/auth/require.server";
import { api, noContent, requireMethod } from "~/server/http/api.server";
import { revokeToken } from "~/server/tokens/tokens.server";

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "DELETE");
  await revokeToken(await requireInteractiveSession(request, context), params.id!);
  return noContent();
});
