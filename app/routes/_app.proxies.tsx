import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { requirePageFeature, page } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("proxies");
  await requireUserWithPermission(request, context, "read:proxy");
  return null;
});

export default function Page() {
  return <NotBuiltYet area="Proxies" what="Reverse-proxy hosts with automatic Let's Encrypt certificates, redirects and access lists." />;
}

export const meta: MetaFunction = () => [{ title: "Proxies · InfraPilot" }];
