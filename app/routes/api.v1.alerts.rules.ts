import { requireApiActor } from "~/server/auth/require.server";
import { createRule, listRules } from "~/server/alerts/rules.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { CreateRuleSchema } from "~/validation/alerts";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  return json(await listRules(actor));
});

export const action = api(async ({ request, context }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await createRule(actor, await readJson(request, CreateRuleSchema)), 201);
});
