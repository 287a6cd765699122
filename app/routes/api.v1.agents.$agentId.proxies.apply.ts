import { requireApiActor } from "~/server/auth/require.server";
import { api, json, requireMethod } from "~/server/http/api.server";
import { applyProxies } from "~/server/proxy/hosts.server";

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  const outcome = await applyProxies(actor, params.agentId!);
  return json({ ok: outcome.ok, message: outcome.message, generation: outcome.generation, rejectedHostIds: outcome.rejectedHostIds, durationMs: Math.round(outcome.durationMs) });
});
