import { requireApiActor } from "~/server/auth/require.server";
import { api, json, noContent, readJson, requireMethod } from "~/server/http/api.server";
import { deleteUser, getUser, updateUser } from "~/server/users/users.server";
import { UpdateUserSchema } from "~/validation/users";

export const loader = api(async ({ request, context, params }) => {
  const actor = await requireApiActor(request, context);
  return json(await getUser(actor, params.id!));
});

export const action = api(async ({ request, context, params }) => {
  requireMethod(request, "PATCH", "DELETE");
  const actor = await requireApiActor(request, context);
  if (request.method === "DELETE") {
    await deleteUser(actor, params.id!);
    return noContent();
  }
  return json(await updateUser(actor, params.id!, await readJson(request, UpdateUserSchema)));
});
