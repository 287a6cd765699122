import { requireApiActor } from "~/server/auth/require.server";
import { createStatusPage, listStatusPages } from "~/server/monitors/status-pages.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { CreateStatusPageSchema } from "~/validation/monitors";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  return json(await listStatusPages(actor));
});

export const action = api(async ({ request, context }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await createStatusPage(actor, await readJson(request, CreateStatusPageSchema)), 201);
});
