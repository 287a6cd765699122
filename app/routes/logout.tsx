import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { logout } from "~/server/auth/login.server";
import { getActor } from "~/server/auth/require.server";
import { blankSessionCookie } from "~/server/auth/session.server";
import { page } from "~/server/http/page.server";

export const loader = page(async () => {
  throw redirect("/");
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  const actor = await getActor(request, context);
  if (actor) await logout(actor, { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined });
  return redirect("/login", { headers: { "Set-Cookie": blankSessionCookie() } });
});
