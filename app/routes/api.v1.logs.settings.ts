import { requireApiActor } from "~/server/auth/require.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { getLogSettings, updateLogSettings } from "~/server/logs/log-retention.server";
import { LogSettingsSchema } from "~/validation/logs";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  return json(await getLogSettings(actor));
});

export const action = api(async ({ request, context }) => {
  requireMethod(request, "PATCH");
  const actor = await requireApiActor(request, context);
  return json(await updateLogSettings(actor, await readJson(request, LogSettingsSchema)));
});
