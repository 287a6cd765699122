import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { requirePageFeature, page } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("containers");
  await requireUserWithPermission(request, context, "read:container");
  return null;
});

export default function Page() {
  return <NotBuiltYet area="Containers" what="Live container list with stats, actions, logs and a web terminal." />;
}

export const meta: MetaFunction = () => [{ title: "Containers · InfraPilot" }];
