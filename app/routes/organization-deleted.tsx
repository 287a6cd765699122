import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { endedSessionOf } from "~/server/auth/require.server";
import { blankSessionCookie } from "~/server/auth/session.server";
import { page, requirePageFeature } from "~/server/http/page.server";

// Where a member lands when their organization was deleted while they were using it (decision 092).
export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("organizations");
  const ended = await endedSessionOf(request);
  if (!ended) throw redirect("/login");
  // The notice is shown as long as the old cookie is presented; the cookie goes now.
  context.responseHeaders.append("Set-Cookie", blankSessionCookie());
  return { orgName: ended.orgName };
});

export default function OrganizationDeletedPage() {
  const { orgName } = useLoaderData<typeof loader>();
  return (
    <AuthCard title="This organization was deleted">
      <div className="flex flex-col gap-4 text-sm text-slate-600 dark:text-slate-300">
        <p>
          <strong className="text-slate-900 dark:text-white">{orgName}</strong> was deleted by its owner, with everything in it. You were logged out of it.
        </p>
        <p>If you belong to another organization, log in again to continue there.</p>
        <Link to="/login" className="self-start rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
          Log in
        </Link>
      </div>
    </AuthCard>
  );
}

export const meta: MetaFunction = () => [{ title: "Organization deleted · InfraPilot" }, { name: "robots", content: "noindex" }];
