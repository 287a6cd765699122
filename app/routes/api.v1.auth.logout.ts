import type { ActionFunctionArgs } from "@remix-run/node";
import { logout } from "~/server/auth/login.server";
import { requireApiActor } from "~/server/auth/require.server";
import { blankSessionCookie } from "~/server/auth/session.server";
import { api, noContent, requireMethod } from "~/server/http/api.server";

export const action = api(async ({ request, context }: ActionFunctionArgs) => {
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context, { allowMfaSetup: true, allowPasswordChange: true });
  await logout(actor, { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined });
  return noContent({ "Set-Cookie": blankSessionCookie() });
});
