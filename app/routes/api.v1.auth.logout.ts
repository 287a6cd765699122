import type { ActionFunctionArgs } from "@remix-run/node";
import { logout, logoutOperator } from "~/server/auth/login.server";
import { getPlatformActor, requireApiActor } from "~/server/auth/require.server";
import { blankSessionCookie } from "~/server/auth/session.server";
import { api, noContent, requireMethod } from "~/server/http/api.server";

export const action = api(async ({ request, context }: ActionFunctionArgs) => {
  requireMethod(request, "POST");
  const meta = { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined };
  const operator = await getPlatformActor(request, context);
  if (operator) await logoutOperator(operator, meta);
  else await logout(await requireApiActor(request, context, { allowMfaSetup: true, allowPasswordChange: true }), meta);
  return noContent({ "Set-Cookie": blankSessionCookie() });
});
