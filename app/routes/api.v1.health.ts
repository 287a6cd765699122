import { requireApiActor } from "~/server/auth/require.server";
import { getHealth } from "~/server/health/health.server";
import { api, json } from "~/server/http/api.server";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  return json(await getHealth(actor));
});
