import { requireApiActor } from "~/server/auth/require.server";
import { api, json } from "~/server/http/api.server";
import { getLogUsage } from "~/server/logs/log-retention.server";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  return json(await getLogUsage(actor));
});
