import { requireApiActor } from "~/server/auth/require.server";
import { api, json } from "~/server/http/api.server";
import { upstreamReachability } from "~/server/proxy/reachability.server";

// TCP reachability of each proxy host's upstream (short timeout); the Proxies list polls it.
export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await upstreamReachability(actor, params.agentId!));
});
