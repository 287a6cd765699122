import { requireApiActor } from "~/server/auth/require.server";
import { api, json } from "~/server/http/api.server";
import { listSessions } from "~/server/users/account.server";

export const loader = api(async ({ request, context }) => json({ items: await listSessions(await requireApiActor(request, context)), nextCursor: null }));
