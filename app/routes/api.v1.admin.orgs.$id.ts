import type { ActionFunctionArgs } from "@remix-run/node";
import { requirePlatformAdmin } from "~/server/auth/require.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { AdminOrgPatchSchema, updateOrgByOperator } from "~/server/platform/orgs-admin.server";

export const action = api(async ({ request, context, params }: ActionFunctionArgs) => {
  const operator = await requirePlatformAdmin(request, context);
  requireMethod(request, "PATCH");
  return json(await updateOrgByOperator(operator, params.id ?? "", await readJson(request, AdminOrgPatchSchema)));
});
