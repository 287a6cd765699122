import { requireApiActor } from "~/server/auth/require.server";
import { deleteCertificate, getCertificate } from "~/server/certs/certificates.server";
import { api, json, noContent, requireMethod } from "~/server/http/api.server";

// Never returns the private key.
export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await getCertificate(actor, params.id!));
});

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "DELETE");
  const actor = await requireApiActor(request, context);
  await deleteCertificate(actor, params.id!);
  return noContent();
});
