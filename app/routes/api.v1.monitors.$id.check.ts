// Beyond the contract: "Check now" runs one check at once through the scheduler's own runner.
import { requireApiActor } from "~/server/auth/require.server";
import { checkMonitorNow } from "~/server/monitors/monitors.server";
import { api, json, requireMethod } from "~/server/http/api.server";

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await checkMonitorNow(actor, params.id!));
});
