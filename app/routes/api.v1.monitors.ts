import { requireApiActor } from "~/server/auth/require.server";
import { createMonitor, listMonitors } from "~/server/monitors/monitors.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { CreateMonitorSchema } from "~/validation/monitors";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  return json(await listMonitors(actor));
});

export const action = api(async ({ request, context }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await createMonitor(actor, await readJson(request, CreateMonitorSchema)), 201);
});
