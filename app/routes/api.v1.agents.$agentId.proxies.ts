import { z } from "zod";
import { requireApiActor } from "~/server/auth/require.server";
import { api, json, readJson, readQuery, requireMethod } from "~/server/http/api.server";
import { createProxyHost, listProxyHosts, SaveQuerySchema } from "~/server/proxy/hosts.server";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await listProxyHosts(actor, params.agentId!));
});

// The verb validates the body (allowlists, control characters) itself, so every caller gets the same checks.
export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  // ?wait=false answers once nginx was signalled (status "pending"), not once it confirmed.
  const options = readQuery(request, SaveQuerySchema);
  return json(await createProxyHost(actor, params.agentId!, await readJson(request, z.unknown()), options), 201);
});
