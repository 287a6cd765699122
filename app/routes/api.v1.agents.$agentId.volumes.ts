import { requireApiActor } from "~/server/auth/require.server";
import { listVolumes } from "~/server/docker/volumes.server";
import { api, json, readQuery } from "~/server/http/api.server";
import { VolumeListQuerySchema } from "~/validation/resources";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await listVolumes(actor, params.agentId!, readQuery(request, VolumeListQuerySchema)));
});
