import { requireApiActor } from "~/server/auth/require.server";
import { api, json, parseWith } from "~/server/http/api.server";
import { listLogs } from "~/server/logs/log-query.server";
import { LogQuerySchema, searchParamsToInput } from "~/validation/logs";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  const { limit, cursor, ...filters } = parseWith(LogQuerySchema, searchParamsToInput(new URL(request.url).searchParams));
  return json(await listLogs(actor, filters, { limit, cursor }));
});
