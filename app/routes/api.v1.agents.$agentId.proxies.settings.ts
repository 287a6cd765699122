// Per-agent proxy settings (additive to API.md): GET → { agentId, defaultSite, updatedAt };
// PATCH { defaultSite: {mode: "404"} | {mode: "close"} | {mode: "redirect", to} } → the same plus
// { apply: { ok, message } } once nginx has been re-applied with it.
import { z } from "zod";
import { requireApiActor } from "~/server/auth/require.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { getProxySettings, updateProxySettings } from "~/server/proxy/settings.server";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await getProxySettings(actor, params.agentId!));
});

// The verb validates the body (control characters first, then the allowlist).
export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "PATCH");
  const actor = await requireApiActor(request, context);
  return json(await updateProxySettings(actor, params.agentId!, await readJson(request, z.unknown())));
});
