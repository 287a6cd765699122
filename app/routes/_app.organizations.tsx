import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { requirePageFeature, page } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("organizations");
  await requireUserWithPermission(request, context, "manage:org");
  return null;
});

export default function Page() {
  return <NotBuiltYet area="Organizations" what="Organizations and invitations (SaaS)." />;
}

export const meta: MetaFunction = () => [{ title: "Organizations · InfraPilot" }];
