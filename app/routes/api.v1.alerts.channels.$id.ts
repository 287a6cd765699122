import { requireApiActor } from "~/server/auth/require.server";
import { deleteChannel, getChannel, updateChannel } from "~/server/alerts/channels.server";
import { api, json, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { UpdateChannelSchema } from "~/validation/alerts";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await getChannel(actor, params.id!));
});

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  if (request.method === "DELETE") {
    await deleteChannel(actor, params.id!);
    return noContent();
  }
  return json(await updateChannel(actor, params.id!, await readJson(request, UpdateChannelSchema)));
});
