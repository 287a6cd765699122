import { requireApiActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { createProvider, listProviders } from "~/server/sso/providers.server";
import { CreateSsoProviderSchema } from "~/validation/sso";

export const loader = api(async ({ request, context }) => {
  requireFeature("sso");
  const actor = await requireApiActor(request, context);
  return json(await listProviders(actor));
});

export const action = api(async ({ request, context }) => {
  requireFeature("sso");
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await createProvider(actor, await readJson(request, CreateSsoProviderSchema)), 201);
});
