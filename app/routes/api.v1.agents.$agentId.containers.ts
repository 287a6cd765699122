import { requireApiActor } from "~/server/auth/require.server";
import { listContainers } from "~/server/docker/containers.server";
import { api, json, readQuery } from "~/server/http/api.server";
import { ContainerListQuerySchema } from "~/validation/containers";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await listContainers(actor, params.agentId!, readQuery(request, ContainerListQuerySchema)));
});
