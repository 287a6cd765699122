import { requireApiActor } from "~/server/auth/require.server";
import { listIncidents } from "~/server/monitors/monitors.server";
import { api, json } from "~/server/http/api.server";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await listIncidents(actor, params.id!));
});
