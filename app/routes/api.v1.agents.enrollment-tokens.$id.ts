import { requireInteractiveSession } from "~/server/auth/require.server";
import { revokeEnrollmentToken } from "~/server/agents/enrollment.server";
import { requireFeature } from "~/server/edition.server";
import { api, noContent, requireMethod } from "~/server/http/api.server";

export const action = api(async ({ request, context, params }) => {
  requireFeature("remoteAgents");
  requireMethod(request, "DELETE");
  await revokeEnrollmentToken(await requireInteractiveSession(request, context), params.id!);
  return noContent();
});
