import { requireApiActor } from "~/server/auth/require.server";
import { createNetwork, listNetworks } from "~/server/docker/networks.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { CreateNetworkSchema } from "~/validation/resources";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await listNetworks(actor, params.agentId!));
});

// POST {name, subnet?, gateway?, internal?, attachable?}
export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json({ network: await createNetwork(actor, params.agentId!, await readJson(request, CreateNetworkSchema)) }, 201);
});
