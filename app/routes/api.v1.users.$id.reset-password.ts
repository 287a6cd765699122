import { requireApiActor } from "~/server/auth/require.server";
import { api, noContent, requireMethod } from "~/server/http/api.server";
import { forcePasswordReset } from "~/server/users/users.server";

/** Forces the user to choose a new password at next login and ends their sessions. */
export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "POST");
  await forcePasswordReset(await requireApiActor(request, context), params.id!);
  return noContent();
});
