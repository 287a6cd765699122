import { requireFeature } from "~/server/edition.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { signup } from "~/server/orgs/signup.server";
import { SignupSchema } from "~/validation/orgs";

export const loader = api(async () => {
  requireFeature("organizations");
  return json({ error: { code: "method_not_allowed", message: "Use POST." } }, { status: 405, headers: { Allow: "POST" } });
});

export const action = api(async ({ request, context }) => {
  requireFeature("organizations");
  requireMethod(request, "POST");
  const { cookie, ...created } = await signup(await readJson(request, SignupSchema), { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined });
  return json(created, { status: 201, headers: { "Set-Cookie": cookie } });
});
