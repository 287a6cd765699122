import { requireApiActor } from "~/server/auth/require.server";
import { deleteStatusPage, getStatusPage, updateStatusPage } from "~/server/monitors/status-pages.server";
import { api, json, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { UpdateStatusPageSchema } from "~/validation/monitors";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await getStatusPage(actor, params.id!));
});

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  if (request.method === "DELETE") {
    await deleteStatusPage(actor, params.id!);
    return noContent();
  }
  return json(await updateStatusPage(actor, params.id!, await readJson(request, UpdateStatusPageSchema)));
});
