// Push monitors' heartbeat URL: public, called by a cron job (GET or POST, no body needed).
import { recordPushBeat } from "~/server/monitors/push.server";
import { api, json, requireMethod } from "~/server/http/api.server";

async function beat(token: string): Promise<Response> {
  await recordPushBeat(token);
  return json({ ok: true });
}

export const loader = api(async ({ params }) => beat(params.token!));

export const action = api(async ({ request, params }) => {
  requireMethod(request, "POST");
  return beat(params.token!);
});
