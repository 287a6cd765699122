import { requireApiActor } from "~/server/auth/require.server";
import { removeImage } from "~/server/docker/images.server";
import { api, json, readQuery, requireMethod } from "~/server/http/api.server";
import { RemoveImageQuerySchema } from "~/validation/resources";

// DELETE …/images/:id[?force=true]
export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "DELETE");
  const actor = await requireApiActor(request, context);
  return json(await removeImage(actor, params.agentId!, params.id!, readQuery(request, RemoveImageQuerySchema)));
});
