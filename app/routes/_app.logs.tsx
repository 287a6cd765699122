import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { requirePageFeature, page } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("logs");
  await requireUserWithPermission(request, context, "read:logs");
  return null;
});

export default function Page() {
  return <NotBuiltYet area="Logs" what="Merged live logs from containers and proxy hosts, with persistent searchable history." />;
}

export const meta: MetaFunction = () => [{ title: "Logs · InfraPilot" }];
