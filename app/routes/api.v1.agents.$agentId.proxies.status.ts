import { requireApiActor } from "~/server/auth/require.server";
import { api, json } from "~/server/http/api.server";
import { getApplyStatus } from "~/server/proxy/hosts.server";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await getApplyStatus(actor, params.agentId!));
});
