import { getActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { acceptOrgInvitation } from "~/server/orgs/invitations.server";
import { AcceptInvitationAsNewSchema } from "~/validation/orgs";

// Logged in: accepted by the session's account. Anonymous: `{name, password}` creates the account.
export const action = api(async ({ request, context, params }) => {
  requireFeature("organizations");
  requireMethod(request, "POST");
  const actor = await getActor(request, context);
  const who = actor
    ? ({ kind: "session", actor } as const)
    : ({ kind: "new", ...(await readJson(request, AcceptInvitationAsNewSchema)), ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined } as const);
  const { org, cookie } = await acceptOrgInvitation(params.token ?? "", who);
  return json({ org }, cookie ? { status: 200, headers: { "Set-Cookie": cookie } } : 200);
});
