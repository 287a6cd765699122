import type { ActionFunctionArgs } from "@remix-run/node";
import { completeSetup, setupNeeded } from "~/server/auth/setup.server";
import { api, json, readJson, requireMethod } from "~/server/http/api.server";
import { SetupSchema } from "~/validation/auth";

export const loader = api(async () => json({ needed: await setupNeeded() }));

export const action = api(async ({ request, context }: ActionFunctionArgs) => {
  requireMethod(request, "POST");
  const input = await readJson(request, SetupSchema); // setupCode: needed unless the client is this machine
  const user = await completeSetup(input, { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined, clientIsLocal: context.clientIsLocal });
  return json({ user }, 201);
});
