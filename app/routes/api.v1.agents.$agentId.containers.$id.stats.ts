import { requireApiActor } from "~/server/auth/require.server";
import { containerStatsHistory } from "~/server/docker/stats-history.server";
import { api, json, readQuery } from "~/server/http/api.server";
import { StatsHistoryQuerySchema } from "~/validation/containers";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  const { range } = readQuery(request, StatsHistoryQuerySchema);
  return json(await containerStatsHistory(actor, { agentId: params.agentId!, ref: params.id!, range }));
});
