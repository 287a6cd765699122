// The operator console's frame (SaaS): the platform operator's only pages. No tenant navigation:
// the operator sees organizations as records, never their data (decision 096).
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Outlet, useLoaderData, useLocation, useRouteLoaderData } from "@remix-run/react";
import { RouteErrorBoundary } from "~/components/route-error";
import { requirePlatformAdminPage } from "~/server/auth/require.server";
import { page } from "~/server/http/page.server";
import type { Theme } from "~/root";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  const operator = await requirePlatformAdminPage(request, context);
  return { operator: { name: operator.name, email: operator.email } };
});

export default function OperatorLayout() {
  const { operator } = useLoaderData<typeof loader>();
  const location = useLocation();
  const root = useRouteLoaderData<{ theme: Theme }>("root");
  const theme = root?.theme ?? "system";
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 bg-white px-4 py-3 md:px-8 dark:border-slate-800 dark:bg-slate-900">
        <div className="flex items-center gap-2">
          <img src="/favicon.svg" alt="" className="h-7 w-7" />
          <div className="leading-tight">
            <p className="font-semibold">InfraPilot</p>
            <p className="text-xs text-slate-500">Operator console</p>
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <span className="hidden text-right sm:block">
            <span className="block font-medium" data-testid="operator-name">{operator.name}</span>
            <span className="block text-xs text-slate-500">{operator.email}</span>
          </span>
          <Form method="post" action="/theme" aria-label="Colour theme">
            <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
            <div className="flex rounded-md border border-slate-300 p-0.5 text-xs dark:border-slate-700" role="group">
              {(["light", "system", "dark"] as const).map((t) => (
                <button key={t} type="submit" name="theme" value={t} aria-pressed={theme === t} className={`rounded px-2 py-1 capitalize ${theme === t ? "bg-slate-200 font-semibold dark:bg-slate-700" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}>
                  {t}
                </button>
              ))}
            </div>
          </Form>
          <Form method="post" action="/logout">
            <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
              Log out
            </button>
          </Form>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6 md:px-8">
        <Outlet />
      </main>
    </div>
  );
}

export const meta: MetaFunction = () => [{ title: "Operator console · InfraPilot" }];
export const ErrorBoundary = RouteErrorBoundary;
