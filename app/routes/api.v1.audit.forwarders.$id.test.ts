import { requireApiActor } from "~/server/auth/require.server";
import { testForwarder } from "~/server/audit/forwarders.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, requireMethod } from "~/server/http/api.server";

export const action = api(async ({ request, context, params }) => {
  requireFeature("auditCompliance");
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await testForwarder(actor, params.id!));
});
