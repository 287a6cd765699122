import { requireApiActor } from "~/server/auth/require.server";
import { testChannel } from "~/server/alerts/channels.server";
import { api, json, requireMethod } from "~/server/http/api.server";

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await testChannel(actor, params.id!));
});
