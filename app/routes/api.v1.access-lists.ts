import { z } from "zod";
import { requireApiActor } from "~/server/auth/require.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { createAccessList, listAccessLists } from "~/server/proxy/access-lists.server";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  return json(await listAccessLists(actor));
});

export const action = api(async ({ request, context }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await createAccessList(actor, await readJson(request, z.unknown())), 201);
});
