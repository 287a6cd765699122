import { z } from "zod";
import { requireApiActor } from "~/server/auth/require.server";
import { api, json, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { deleteProxyHost, getProxyHost, updateProxyHost } from "~/server/proxy/hosts.server";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await getProxyHost(actor, params.agentId!, params.id!));
});

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  if (request.method === "DELETE") {
    await deleteProxyHost(actor, params.agentId!, params.id!);
    return noContent();
  }
  return json(await updateProxyHost(actor, params.agentId!, params.id!, await readJson(request, z.unknown())));
});
