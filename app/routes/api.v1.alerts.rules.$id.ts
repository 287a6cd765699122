import { requireApiActor } from "~/server/auth/require.server";
import { deleteRule, getRule, updateRule } from "~/server/alerts/rules.server";
import { api, json, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { UpdateRuleSchema } from "~/validation/alerts";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await getRule(actor, params.id!));
});

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  if (request.method === "DELETE") {
    await deleteRule(actor, params.id!);
    return noContent();
  }
  return json(await updateRule(actor, params.id!, await readJson(request, UpdateRuleSchema)));
});
