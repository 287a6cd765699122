import { requireApiActor } from "~/server/auth/require.server";
import { listResults } from "~/server/monitors/monitors.server";
import { api, json, readQuery } from "~/server/http/api.server";
import { ResultsQuerySchema } from "~/validation/monitors";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await listResults(actor, params.id!, readQuery(request, ResultsQuerySchema)));
});
