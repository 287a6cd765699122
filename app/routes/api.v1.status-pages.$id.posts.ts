// Incident posts and maintenance notices of a status page (decision 063).
import { requireApiActor } from "~/server/auth/require.server";
import { createPost, listPosts } from "~/server/monitors/status-pages.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { CreatePostSchema } from "~/validation/monitors";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await listPosts(actor, params.id!));
});

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  return json(await createPost(actor, params.id!, await readJson(request, CreatePostSchema)), 201);
});
