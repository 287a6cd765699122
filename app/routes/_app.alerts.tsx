import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { requirePageFeature, page } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("alerts");
  await requireUserWithPermission(request, context, "read:alert");
  return null;
});

export default function Page() {
  return <NotBuiltYet area="Alerts" what="Notification channels and rules on containers, certificates and proxies." />;
}

export const meta: MetaFunction = () => [{ title: "Alerts · InfraPilot" }];
