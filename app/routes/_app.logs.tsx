import type { MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { placeholderLoader } from "~/server/http/page.server";

export const loader = placeholderLoader("logs", "read:logs");

export default function Page() {
  return <NotBuiltYet area="Logs" what="Merged live logs from containers and proxy hosts, with persistent searchable history." />;
}

export const meta: MetaFunction = () => [{ title: "Logs · InfraPilot" }];
