import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { getActor, getPlatformActor, OPERATOR_HOME } from "~/server/auth/require.server";
import { nobodyCanLogIn } from "~/server/auth/setup.server";
import { page } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  if (await nobodyCanLogIn()) throw redirect("/setup");
  if (await getActor(request, context)) throw redirect("/dashboard");
  throw redirect((await getPlatformActor(request, context)) ? OPERATOR_HOME : "/login");
});
