import { requireApiActor } from "~/server/auth/require.server";
import { deleteForwarder, updateForwarder } from "~/server/audit/forwarders.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { AuditForwarderPatchSchema } from "~/validation/audit";

export const action = api(async ({ request, context, params }) => {
  requireFeature("auditCompliance");
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  if (request.method === "DELETE") {
    await deleteForwarder(actor, params.id!);
    return noContent();
  }
  return json(await updateForwarder(actor, params.id!, await readJson(request, AuditForwarderPatchSchema)));
});
