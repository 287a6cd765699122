import { requireApiActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api, noContent, requireMethod } from "~/server/http/api.server";
import { revokeOrgInvitation } from "~/server/orgs/invitations.server";

export const action = api(async ({ request, context, params }) => {
  requireFeature("organizations");
  requireMethod(request, "DELETE");
  await revokeOrgInvitation(await requireApiActor(request, context), params.id!);
  return noContent();
});
