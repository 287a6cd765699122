import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { requirePageFeature, page } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("users");
  await requireUserWithPermission(request, context, "read:user");
  return null;
});

export default function Page() {
  return <NotBuiltYet area="Users" what="User management with roles, MFA and API tokens." />;
}

export const meta: MetaFunction = () => [{ title: "Users · InfraPilot" }];
