import type { MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { placeholderLoader } from "~/server/http/page.server";

export const loader = placeholderLoader("organizations", "manage:org");

export default function Page() {
  return <NotBuiltYet area="Organizations" what="Organizations and invitations (SaaS)." />;
}

export const meta: MetaFunction = () => [{ title: "Organizations · InfraPilot" }];
