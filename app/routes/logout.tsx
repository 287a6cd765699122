import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { logout, logoutOperator } from "~/server/auth/login.server";
import { getActor, getPlatformActor } from "~/server/auth/require.server";
import { blankSessionCookie } from "~/server/auth/session.server";
import { page } from "~/server/http/page.server";

export const loader = page(async () => {
  throw redirect("/");
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  const meta = { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined };
  const actor = await getActor(request, context);
  if (actor) await logout(actor, meta);
  else {
    const operator = await getPlatformActor(request, context);
    if (operator) await logoutOperator(operator, meta);
  }
  return redirect("/login", { headers: { "Set-Cookie": blankSessionCookie() } });
});
