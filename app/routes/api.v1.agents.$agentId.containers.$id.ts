import { requireApiActor } from "~/server/auth/require.server";
import { getContainer, removeContainer } from "~/server/docker/containers.server";
import { api, json, noContent, readQuery, requireMethod } from "~/server/http/api.server";
import { ContainerDetailQuerySchema, RemoveContainerQuerySchema } from "~/validation/containers";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await getContainer(actor, params.agentId!, params.id!, readQuery(request, ContainerDetailQuerySchema)));
});

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "DELETE");
  const actor = await requireApiActor(request, context);
  await removeContainer(actor, params.agentId!, params.id!, readQuery(request, RemoveContainerQuerySchema));
  return noContent();
});
