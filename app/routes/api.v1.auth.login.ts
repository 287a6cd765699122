import type { ActionFunctionArgs } from "@remix-run/node";
import { login } from "~/server/auth/login.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { LoginSchema } from "~/validation/auth";

export const action = api(async ({ request, context }: ActionFunctionArgs) => {
  requireMethod(request, "POST");
  const input = await readJson(request, LoginSchema);
  const result = await login(input, { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined });
  if (result.mfaRequired) return json({ mfaRequired: true, challenge: result.challenge });
  return json({ user: result.user }, { status: 200, headers: { "Set-Cookie": result.cookie } });
});
