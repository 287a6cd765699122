import { requireApiActor } from "~/server/auth/require.server";
import { getHealth } from "~/server/health/health.server";
import { pageAgent } from "~/server/http/agent-choice.server";
import { api, json } from "~/server/http/api.server";

// `?agentId=` names the agent whose engine and nginx are scored (404 unless the organization's);
// without it, the organization's default agent: the built-in one in Community.
export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  const { agentId } = await pageAgent(actor, request, context, { requested: new URL(request.url).searchParams.get("agentId"), remember: false });
  return json(await getHealth(actor, agentId));
});
