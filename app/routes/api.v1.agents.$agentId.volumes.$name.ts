import { requireApiActor } from "~/server/auth/require.server";
import { removeVolume } from "~/server/docker/volumes.server";
import { api, noContent, requireMethod } from "~/server/http/api.server";

// DELETE …/volumes/:name
export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "DELETE");
  const actor = await requireApiActor(request, context);
  await removeVolume(actor, params.agentId!, params.name!);
  return noContent();
});
