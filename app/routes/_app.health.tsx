import type { MetaFunction } from "@remix-run/node";
import { NotBuiltYet } from "~/components/ui/page";
import { placeholderLoader } from "~/server/http/page.server";

export const loader = placeholderLoader("health", "read:health");

export default function Page() {
  return <NotBuiltYet area="Health" what="Health scores for certificates, database, system, Docker and nginx." />;
}

export const meta: MetaFunction = () => [{ title: "Health · InfraPilot" }];
