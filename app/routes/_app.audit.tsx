import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { requirePageFeature, page } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("audit");
  await requireUserWithPermission(request, context, "read:audit");
  return null;
});

export default function Page() {
  return <NotBuiltYet area="Audit log" what="A filterable, exportable, tamper-evident audit log." />;
}

export const meta: MetaFunction = () => [{ title: "Audit log · InfraPilot" }];
