import type { MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { placeholderLoader } from "~/server/http/page.server";

export const loader = placeholderLoader("alerts", "read:alert");

export default function Page() {
  return <NotBuiltYet area="Alerts" what="Notification channels and rules on containers, certificates and proxies." />;
}

export const meta: MetaFunction = () => [{ title: "Alerts · InfraPilot" }];
