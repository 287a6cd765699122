// One post of a status page: PATCH (a new status and text; resolved/completed closes it), DELETE.
import { requireApiActor } from "~/server/auth/require.server";
import { deletePost, updatePost } from "~/server/monitors/status-pages.server";
import { api, json, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { UpdatePostSchema } from "~/validation/monitors";

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  if (request.method === "DELETE") {
    await deletePost(actor, params.id!, params.postId!);
    return noContent();
  }
  return json(await updatePost(actor, params.id!, params.postId!, await readJson(request, UpdatePostSchema)));
});
