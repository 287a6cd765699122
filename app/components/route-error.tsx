import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";

const TITLES: Record<number, string> = {
  400: "That request was not valid",
  403: "You are not allowed to see this",
  404: "Not found",
  503: "Database unavailable",
};

/** An error inside the app layout: the navigation stays, the page area explains what happened. */
export function RouteErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : "An unexpected error happened on the server. It has been logged.";
  return (
    <section role="alert" className="mx-auto flex max-w-lg flex-col items-center gap-3 py-16 text-center">
      <p className="text-sm font-semibold text-brand-600 dark:text-brand-300">{status}</p>
      <h1 className="text-2xl font-semibold">{TITLES[status] ?? "Something went wrong"}</h1>
      <p className="text-slate-600 dark:text-slate-400">{message}</p>
      <Link to="/dashboard" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
        Back to the dashboard
      </Link>
    </section>
  );
}
