import { requireApiActor } from "~/server/auth/require.server";
import { getAuditSettings, updateAuditSettings } from "~/server/audit/audit-settings.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { AuditSettingsSchema } from "~/validation/audit";

export const loader = api(async ({ request, context }) => {
  requireFeature("auditCompliance");
  return json(await getAuditSettings(await requireApiActor(request, context)));
});

export const action = api(async ({ request, context }) => {
  requireFeature("auditCompliance");
  requireMethod(request, "PATCH");
  const actor = await requireApiActor(request, context);
  return json(await updateAuditSettings(actor, await readJson(request, AuditSettingsSchema)));
});
