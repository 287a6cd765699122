import { completeMfaLogin } from "~/server/auth/login.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { MfaVerifySchema } from "~/validation/auth";

export const action = api(async ({ request, context }) => {
  requireMethod(request, "POST");
  const input = await readJson(request, MfaVerifySchema);
  const { user, cookie } = await completeMfaLogin(input, { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined });
  return json({ user }, { headers: { "Set-Cookie": cookie } });
});
