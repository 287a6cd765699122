import type { ActionFunctionArgs } from "@remix-run/node";
import { login } from "~/server/auth/login.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { LoginSchema } from "~/validation/auth";

export const action = api(async ({ request, context }: ActionFunctionArgs) => {
  requireMethod(request, "POST");
  const input = await readJson(request, LoginSchema);
  const { user, cookie } = await login(input, { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined });
  return json({ user }, { status: 200, headers: { "Set-Cookie": cookie } });
});
