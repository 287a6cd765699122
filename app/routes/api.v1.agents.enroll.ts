// Public (the node has no account): a token and a public key in, an agent id out. Throttled per
// client address; every refusal is the same 401 and creates nothing.
import { enrollAgent } from "~/server/agents/enrollment.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { EnrollSchema } from "~/validation/agents";

export const action = api(async ({ request, context }) => {
  requireFeature("remoteAgents");
  requireMethod(request, "POST");
  const input = await readJson(request, EnrollSchema);
  return json(await enrollAgent(input, { ip: context.clientIp }), 201);
});
