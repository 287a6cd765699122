import { requireApiActor } from "~/server/auth/require.server";
import { acknowledgeAlert } from "~/server/alerts/history.server";
import { api, json, requireMethod } from "~/server/http/api.server";

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await acknowledgeAlert(actor, params.id!));
});
