import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, NavLink, Outlet, useLoaderData, useLocation, useRouteLoaderData } from "@remix-run/react";
import { useState } from "react";
import { hasFeature } from "~/features";
import { NAV_ITEMS } from "~/navigation";
import { can } from "~/permissions";
import { requireUser } from "~/server/auth/require.server";
import { page } from "~/server/http/page.server";
import { getMe } from "~/server/users/me.server";
import { userOrgs } from "~/server/orgs/orgs.server";
import { OrgGuard, OrgSwitcher } from "~/components/org/org-switcher";
import type { Theme } from "~/root";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  const actor = await requireUser(request, context);
  const me = await getMe(actor);
  // Until an admin-set password is replaced every other page redirects here, so none is offered.
  const nav = actor.mustChangePassword
    ? []
    : NAV_ITEMS.filter((i) => (!i.feature || hasFeature(me.edition, i.feature)) && can(actor.role, i.permission)).map(({ to, label }) => ({ to, label }));
  // SaaS: the organizations of the header's switcher (decision 090).
  const orgs = hasFeature(me.edition, "organizations") ? (await userOrgs(actor.userId)).map(({ id, name, role }) => ({ id, name, role })) : null;
  return { me, nav, orgs, suspended: Boolean(actor.orgSuspended) };
});

export function useAppData() {
  return useRouteLoaderData<typeof loader>("routes/_app")!;
}

export default function AppLayout() {
  const { me, nav, orgs, suspended } = useLoaderData<typeof loader>();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  return (
    <div className="min-h-screen md:flex">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="flex items-center justify-between border-b border-slate-200 bg-white px-4 py-3 md:hidden dark:border-slate-800 dark:bg-slate-900">
        <Brand org={me.org} orgs={orgs} />
        <button
          type="button"
          onClick={() => setMenuOpen((o) => !o)}
          aria-expanded={menuOpen}
          aria-controls="app-nav"
          className="rounded-md border border-slate-300 px-3 py-1.5 text-sm dark:border-slate-700"
        >
          Menu
        </button>
      </header>
      <aside
        id="app-nav"
        className={`${menuOpen ? "block" : "hidden"} border-b border-slate-200 bg-white md:sticky md:top-0 md:block md:h-screen md:overflow-y-auto md:w-60 md:shrink-0 md:border-b-0 md:border-r dark:border-slate-800 dark:bg-slate-900`}
      >
        <div className="hidden px-5 py-5 md:block">
          <Brand org={me.org} orgs={orgs} />
        </div>
        <nav aria-label="Main" className="flex flex-col gap-0.5 px-3 py-2">
          {nav.map((item) => (
            <NavLink
              key={item.to}
              to={item.to}
              end={item.to === "/settings"}
              onClick={() => setMenuOpen(false)}
              className={({ isActive }) =>
                `rounded-md px-3 py-2 text-sm font-medium ${isActive ? "bg-brand-50 text-brand-700 dark:bg-slate-800 dark:text-white" : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"}`
              }
            >
              {item.label}
            </NavLink>
          ))}
        </nav>
        <div className="mt-4 border-t border-slate-200 px-5 py-4 text-sm dark:border-slate-800">
          <p className="font-medium" data-testid="user-name">{me.user.name}</p>
          <p className="text-slate-500 wrap-anywhere dark:text-slate-400">{me.user.email}</p>
          <p className="mt-1 text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">{me.user.role.replace("_", " ")}</p>
          <NavLink
            to="/account"
            onClick={() => setMenuOpen(false)}
            className={({ isActive }) =>
              `mt-3 block rounded-md border px-3 py-1.5 text-center text-sm ${isActive ? "border-brand-500 bg-brand-50 text-brand-700 dark:bg-slate-800 dark:text-white" : "border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"}`
            }
          >
            Account
          </NavLink>
          <ThemeSwitcher redirectTo={location.pathname + location.search} />
          <Form method="post" action="/logout" className="mt-3">
            <button type="submit" className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
              Log out
            </button>
          </Form>
        </div>
      </aside>
      <main id="main" className="min-w-0 flex-1 px-4 py-6 md:px-8">
        {orgs ? <OrgGuard orgId={me.org.id} orgName={me.org.name} /> : null}
        {suspended ? <SuspendedBanner /> : null}
        <Outlet />
      </main>
    </div>
  );
}

/** SaaS: the operator suspended this organization (decision 096): reading works, changing does not. */
function SuspendedBanner() {
  return (
    <div role="status" data-testid="suspended-banner" className="mb-6 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
      <p className="font-semibold">This organization is suspended.</p>
      <p>You can look at everything, but changes are refused until the service operator lifts the suspension, and your agents are paused: they carry out no container actions, proxy changes or terminals. Contact the operator (or your organization's owner) to restore access.</p>
    </div>
  );
}

function Brand({ org, orgs }: { org: { id: string; name: string }; orgs: { id: string; name: string; role: string }[] | null }) {
  return (
    <div className="flex items-center gap-2">
      <img src="/favicon.svg" alt="" className="h-7 w-7" />
      <div className="leading-tight">
        <p className="font-semibold">InfraPilot</p>
        {orgs ? <OrgSwitcher current={org} orgs={orgs} /> : <p className="text-xs text-slate-500 dark:text-slate-400">{org.name}</p>}
      </div>
    </div>
  );
}

function ThemeSwitcher({ redirectTo }: { redirectTo: string }) {
  const root = useRouteLoaderData<{ theme: Theme }>("root");
  const current = root?.theme ?? "system";
  return (
    <Form method="post" action="/theme" className="mt-3" aria-label="Colour theme">
      <input type="hidden" name="redirectTo" value={redirectTo} />
      <div className="flex rounded-md border border-slate-300 p-0.5 text-xs dark:border-slate-700" role="group">
        {(["light", "system", "dark"] as const).map((t) => (
          <button
            key={t}
            type="submit"
            name="theme"
            value={t}
            aria-pressed={current === t}
            className={`flex-1 rounded px-2 py-1 capitalize ${current === t ? "bg-slate-200 font-semibold dark:bg-slate-700" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}
          >
            {t}
          </button>
        ))}
      </div>
    </Form>
  );
}
