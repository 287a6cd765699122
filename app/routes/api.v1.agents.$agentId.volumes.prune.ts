import { requireApiActor } from "~/server/auth/require.server";
import { pruneVolumes } from "~/server/docker/volumes.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { PruneVolumesSchema } from "~/validation/resources";

// POST {all?: boolean}: unused anonymous volumes, or named unused ones too.
export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await pruneVolumes(actor, params.agentId!, await readJson(request, PruneVolumesSchema)));
});
