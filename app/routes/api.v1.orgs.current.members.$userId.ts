import { requireApiActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { changeMemberRole, removeMember } from "~/server/orgs/members.server";
import { ChangeMemberRoleSchema } from "~/validation/orgs";

export const action = api(async ({ request, context, params }) => {
  requireFeature("organizations");
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  if (request.method === "DELETE") {
    await removeMember(actor, params.userId!);
    return noContent();
  }
  return json(await changeMemberRole(actor, params.userId!, await readJson(request, ChangeMemberRoleSchema)));
});
