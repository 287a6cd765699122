import { z } from "zod";
import { requireApiActor } from "~/server/auth/require.server";
import { api, json, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { deleteAccessList, getAccessList, updateAccessList } from "~/server/proxy/access-lists.server";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await getAccessList(actor, params.id!));
});

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  if (request.method === "DELETE") {
    await deleteAccessList(actor, params.id!);
    return noContent();
  }
  return json(await updateAccessList(actor, params.id!, await readJson(request, z.unknown())));
});
