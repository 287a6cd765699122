import { deleteAgent, renameAgent } from "~/server/agents/remote-agents.server";
import { requireApiActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { RenameAgentSchema } from "~/validation/agents";

export const action = api(async ({ request, context, params }) => {
  requireFeature("remoteAgents");
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  if (request.method === "DELETE") {
    await deleteAgent(actor, params.agentId!);
    return noContent();
  }
  return json({ agent: await renameAgent(actor, params.agentId!, await readJson(request, RenameAgentSchema)) });
});
