import { requireApiActor } from "~/server/auth/require.server";
import { api, json } from "~/server/http/api.server";
import { getMe } from "~/server/users/me.server";

export const loader = api(async ({ request, context }) => json(await getMe(await requireApiActor(request, context, { allowMfaSetup: true, allowPasswordChange: true }))));
