import { requireApiActor } from "~/server/auth/require.server";
import { containerLogs } from "~/server/docker/containers.server";
import { api, json, readQuery } from "~/server/http/api.server";
import { LogsQuerySchema } from "~/validation/containers";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await containerLogs(actor, params.agentId!, params.id!, readQuery(request, LogsQuerySchema)));
});
