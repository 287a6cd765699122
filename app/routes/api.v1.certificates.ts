import { z } from "zod";
import { requireApiActor } from "~/server/auth/require.server";
import { createCertificate, listCertificates } from "~/server/certs/certificates.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  return json(await listCertificates(actor));
});

// Upload (validated now, 201 issued) or ACME request (201 pending; poll GET /:id for issued | error).
export const action = api(async ({ request, context }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await createCertificate(actor, await readJson(request, z.unknown())), 201);
});
