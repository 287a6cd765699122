import { requireApiActor } from "~/server/auth/require.server";
import { pruneImages } from "~/server/docker/images.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { PruneImagesSchema } from "~/validation/resources";

// POST {all?: boolean}: dangling images, or every image no container uses.
export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await pruneImages(actor, params.agentId!, await readJson(request, PruneImagesSchema)));
});
