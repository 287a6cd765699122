import type { MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { placeholderLoader } from "~/server/http/page.server";

export const loader = placeholderLoader("billing", "manage:org");

export default function Page() {
  return <NotBuiltYet area="Billing" what="Plans and billing (SaaS)." />;
}

export const meta: MetaFunction = () => [{ title: "Billing · InfraPilot" }];
