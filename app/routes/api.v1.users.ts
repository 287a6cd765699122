import { requireApiActor } from "~/server/auth/require.server";
import { api, json, readJson, readQuery, requireMethod } from "~/server/http/api.server";
import { createUser, listUsers } from "~/server/users/users.server";
import { CreateUserSchema, ListQuerySchema } from "~/validation/users";

export const loader = api(async ({ request, context }) => {
  const actor = await requireApiActor(request, context);
  return json(await listUsers(actor, readQuery(request, ListQuerySchema)));
});

export const action = api(async ({ request, context }) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  const { user, invitation } = await createUser(actor, await readJson(request, CreateUserSchema));
  return json({ ...user, user, invitation }, 201);
});
