import { requireApiActor } from "~/server/auth/require.server";
import { listHistory } from "~/server/alerts/history.server";
import { api, json, readQuery } from "~/server/http/api.server";
import { HistoryQuerySchema } from "~/validation/alerts";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  return json(await listHistory(actor, readQuery(request, HistoryQuerySchema)));
});
