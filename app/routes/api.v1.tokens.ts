import { requireApiActor, requireInteractiveSession } from "~/server/auth/require.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { createToken, listTokens } from "~/server/tokens/tokens.server";
import { CreateTokenSchema } from "~/validation/users";

export const loader = api(async ({ request, context }) => {
  const items = await listTokens(await requireApiActor(request, context));
  return json({ items, nextCursor: null });
});

export const action = api(async ({ request, context }) => {
  requireMethod(request, "POST");
  const actor = await requireInteractiveSession(request, context);
  const { token, secret } = await createToken(actor, await readJson(request, CreateTokenSchema));
  return json({ ...token, token, secret }, 201);
});
