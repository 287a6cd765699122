import { requireApiActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api, json } from "~/server/http/api.server";
import { listMembers } from "~/server/orgs/members.server";

export const loader = api(async ({ request, context }) => {
  requireFeature("organizations");
  return json(await listMembers(await requireApiActor(request, context)));
});
