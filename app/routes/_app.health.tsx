import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { requirePageFeature, page } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("health");
  await requireUserWithPermission(request, context, "read:health");
  return null;
});

export default function Page() {
  return <NotBuiltYet area="Health" what="Health scores for certificates, database, system, Docker and nginx." />;
}

export const meta: MetaFunction = () => [{ title: "Health · InfraPilot" }];
