import { requireApiActor } from "~/server/auth/require.server";
import { renewCertificate } from "~/server/certs/certificates.server";
import { api, json, requireMethod } from "~/server/http/api.server";

// 202: the renewal runs in the background (`renewing: true`); the current certificate keeps serving.
export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await renewCertificate(actor, params.id!), 202);
});
