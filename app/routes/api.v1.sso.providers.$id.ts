import { requireApiActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { deleteProvider, getProvider, updateProvider } from "~/server/sso/providers.server";
import { UpdateSsoProviderSchema } from "~/validation/sso";

export const loader = api(async ({ request, context, params }) => {
  requireFeature("sso");
  const actor = await requireApiActor(request, context);
  return json(await getProvider(actor, params.id!));
});

export const action = api(async ({ request, context, params }) => {
  requireFeature("sso");
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  if (request.method === "DELETE") {
    await deleteProvider(actor, params.id!);
    return noContent();
  }
  return json(await updateProvider(actor, params.id!, await readJson(request, UpdateSsoProviderSchema)));
});
