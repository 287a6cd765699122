import { requireApiActor, requireInteractiveSession } from "~/server/auth/require.server";
import { createEnrollmentToken, listEnrollmentTokens } from "~/server/agents/enrollment.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { CreateEnrollmentTokenSchema } from "~/validation/agents";

export const loader = api(async ({ request, context }) => {
  requireFeature("remoteAgents");
  const items = await listEnrollmentTokens(await requireApiActor(request, context));
  return json({ items, nextCursor: null });
});

export const action = api(async ({ request, context }) => {
  requireFeature("remoteAgents");
  requireMethod(request, "POST");
  const actor = await requireInteractiveSession(request, context);
  return json(await createEnrollmentToken(actor, await readJson(request, CreateEnrollmentTokenSchema)), 201);
});
