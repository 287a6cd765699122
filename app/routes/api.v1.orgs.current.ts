import { requireApiActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { deleteOrg, getCurrentOrg, renameOrg } from "~/server/orgs/orgs.server";
import { DeleteOrgSchema, RenameOrgSchema } from "~/validation/orgs";

export const loader = api(async ({ request, context }) => {
  requireFeature("organizations");
  return json(await getCurrentOrg(await requireApiActor(request, context)));
});

export const action = api(async ({ request, context }) => {
  requireFeature("organizations");
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  if (request.method === "DELETE") {
    await deleteOrg(actor, await readJson(request, DeleteOrgSchema));
    return noContent();
  }
  return json(await renameOrg(actor, await readJson(request, RenameOrgSchema)));
});
