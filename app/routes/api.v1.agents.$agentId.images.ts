import { requireApiActor } from "~/server/auth/require.server";
import { listImages } from "~/server/docker/images.server";
import { api, json } from "~/server/http/api.server";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await listImages(actor, params.agentId!));
});
