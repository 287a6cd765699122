import { requireApiActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { createOrgInvitation, listOrgInvitations } from "~/server/orgs/invitations.server";
import { CreateInvitationSchema } from "~/validation/orgs";

export const loader = api(async ({ request, context }) => {
  requireFeature("organizations");
  return json(await listOrgInvitations(await requireApiActor(request, context)));
});

export const action = api(async ({ request, context }) => {
  requireFeature("organizations");
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await createOrgInvitation(actor, await readJson(request, CreateInvitationSchema)), 201);
});
