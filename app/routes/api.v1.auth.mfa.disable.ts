import { requireInteractiveSession } from "~/server/auth/require.server";
import { api, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { disableMfa } from "~/server/mfa/mfa.server";
import { MfaDisableSchema } from "~/validation/auth";

export const action = api(async ({ request, context }) => {
  requireMethod(request, "POST");
  const actor = await requireInteractiveSession(request, context);
  await disableMfa(actor, await readJson(request, MfaDisableSchema));
  return noContent();
});
