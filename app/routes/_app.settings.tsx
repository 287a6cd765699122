import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { requirePageFeature, page } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("settings");
  await requireUserWithPermission(request, context, "manage:settings");
  return null;
});

export default function Page() {
  return <NotBuiltYet area="Settings" what="Organization settings." />;
}

export const meta: MetaFunction = () => [{ title: "Settings · InfraPilot" }];
