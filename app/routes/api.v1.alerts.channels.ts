import { requireApiActor } from "~/server/auth/require.server";
import { createChannel, listChannels } from "~/server/alerts/channels.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { CreateChannelSchema } from "~/validation/alerts";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  return json(await listChannels(actor));
});

export const action = api(async ({ request, context }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await createChannel(actor, await readJson(request, CreateChannelSchema)), 201);
});
