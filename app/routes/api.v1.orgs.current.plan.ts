import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireApiActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api, json } from "~/server/http/api.server";
import { getPlan } from "~/server/plans/plan-limits.server";

export const loader = api(async ({ request, context }: LoaderFunctionArgs) => {
  requireFeature("planLimits");
  return json(await getPlan(await requireApiActor(request, context)));
});
