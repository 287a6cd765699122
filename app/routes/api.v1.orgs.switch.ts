import { requireApiActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { switchOrg } from "~/server/orgs/orgs.server";
import { SwitchOrgSchema } from "~/validation/orgs";

export const loader = api(async () => {
  requireFeature("organizations");
  return json({ error: { code: "method_not_allowed", message: "Use POST." } }, { status: 405, headers: { Allow: "POST" } });
});

export const action = api(async ({ request, context }) => {
  requireFeature("organizations");
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json({ org: await switchOrg(actor, await readJson(request, SwitchOrgSchema)) });
});
