import { z } from "zod";
import { requireApiActor } from "~/server/auth/require.server";
import { api, json, noContent, readJson, readQuery, requireMethod } from "~/server/http/api.server";
import { deleteProxyHost, getProxyHost, SaveQuerySchema, updateProxyHost } from "~/server/proxy/hosts.server";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await getProxyHost(actor, params.agentId!, params.id!));
});

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  // ?wait=false answers once nginx was signalled (status "pending"), not once it confirmed.
  const options = readQuery(request, SaveQuerySchema);
  if (request.method === "DELETE") {
    await deleteProxyHost(actor, params.agentId!, params.id!, options);
    return noContent();
  }
  return json(await updateProxyHost(actor, params.agentId!, params.id!, await readJson(request, z.unknown()), options));
});
