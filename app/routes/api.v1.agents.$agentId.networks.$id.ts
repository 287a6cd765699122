import { requireApiActor } from "~/server/auth/require.server";
import { removeNetwork } from "~/server/docker/networks.server";
import { api, noContent, requireMethod } from "~/server/http/api.server";

// DELETE …/networks/:id (id, id prefix or name)
export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "DELETE");
  const actor = await requireApiActor(request, context);
  await removeNetwork(actor, params.agentId!, params.id!);
  return noContent();
});
