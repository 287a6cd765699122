import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { requirePageFeature, page } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("billing");
  await requireUserWithPermission(request, context, "manage:org");
  return null;
});

export default function Page() {
  return <NotBuiltYet area="Billing" what="Plans and billing (SaaS)." />;
}

export const meta: MetaFunction = () => [{ title: "Billing · InfraPilot" }];
