import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { getActor } from "~/server/auth/require.server";
import { setupNeeded } from "~/server/auth/setup.server";
import { page } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  if (await setupNeeded()) throw redirect("/setup");
  throw redirect((await getActor(request, context)) ? "/dashboard" : "/login");
});
