import { requireApiActor } from "~/server/auth/require.server";
import { deleteMonitor, getMonitor, updateMonitor } from "~/server/monitors/monitors.server";
import { api, json, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { UpdateMonitorSchema } from "~/validation/monitors";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await getMonitor(actor, params.id!));
});

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  if (request.method === "DELETE") {
    await deleteMonitor(actor, params.id!);
    return noContent();
  }
  return json(await updateMonitor(actor, params.id!, await readJson(request, UpdateMonitorSchema)));
});
