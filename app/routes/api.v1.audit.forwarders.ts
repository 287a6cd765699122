import { requireApiActor } from "~/server/auth/require.server";
import { createForwarder, listForwarders } from "~/server/audit/forwarders.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { AuditForwarderCreateSchema } from "~/validation/audit";

export const loader = api(async ({ request, context }) => {
  requireFeature("auditCompliance");
  return json(await listForwarders(await requireApiActor(request, context)));
});

export const action = api(async ({ request, context }) => {
  requireFeature("auditCompliance");
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await createForwarder(actor, await readJson(request, AuditForwarderCreateSchema)), 201);
});
