import { requireApiActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { createOrg, listOrgs } from "~/server/orgs/orgs.server";
import { CreateOrgSchema } from "~/validation/orgs";

export const loader = api(async ({ request, context }) => {
  requireFeature("organizations");
  return json(await listOrgs(await requireApiActor(request, context)));
});

export const action = api(async ({ request, context }) => {
  requireFeature("organizations");
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await createOrg(actor, await readJson(request, CreateOrgSchema)), 201);
});
