import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { ScrollTabs } from "~/components/ui/scroll-tabs";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { RouteErrorBoundary } from "~/components/route-error";
import { PageHeader } from "~/components/ui/page";
import { requireUser } from "~/server/auth/require.server";
import { page } from "~/server/http/page.server";

// The layout only frames the tabs; each tab's loader does its own checks. It lets a user who must
// set up MFA through (the security tab is where they are sent); the other tabs redirect them. A
// user who must change their password gets only the profile tab (where the password form is).
export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  const actor = await requireUser(request, context, { allowMfaSetup: true });
  const only = actor.mustChangePassword ? "/account" : actor.mfaSetupRequired ? "/account/security" : null;
  return { only };
});

const TABS = [
  { to: "/account", label: "Profile", end: true },
  { to: "/account/security", label: "Security", end: false },
  { to: "/account/tokens", label: "API tokens", end: false },
];

export default function AccountLayout() {
  const { only } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Your account" description="Password, sessions, two-factor authentication and API tokens." />
      <ScrollTabs label="Account">
        <ul className="flex gap-1">
          {TABS.map((tab) => (
            <li key={tab.to}>
              <NavLink
                to={tab.to}
                end={tab.end}
                prefetch="intent"
                className={({ isActive }) =>
                  `-mb-px inline-block whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium ${
                    isActive
                      ? "border-brand-600 text-brand-700 dark:border-brand-500 dark:text-white"
                      : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100"
                  } ${only && tab.to !== only ? "pointer-events-none opacity-50" : ""}`
                }
                aria-disabled={only && tab.to !== only ? true : undefined}
              >
                {tab.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </ScrollTabs>
      <Outlet />
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Account · InfraPilot" }];

export const ErrorBoundary = RouteErrorBoundary;
