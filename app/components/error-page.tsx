import { Link } from "@remix-run/react";

const TITLES: Record<number, string> = {
  400: "That request was not valid",
  403: "You are not allowed to see this",
  404: "Page not found",
  503: "Database unavailable",
};

const HINTS: Record<number, string> = {
  404: "The page may have moved, or the address has a typo.",
  503: "InfraPilot cannot reach its database right now. It reconnects by itself when the database is back; try again in a moment.",
};

export function ErrorPage({ status, message, requestId }: { status: number; message?: string; requestId?: string }) {
  const title = TITLES[status] ?? "Something went wrong";
  const hint = message ?? HINTS[status] ?? "An unexpected error happened on the server. It has been logged.";
  return (
    <main className="mx-auto flex min-h-[60vh] max-w-lg flex-col items-center justify-center gap-4 p-6 text-center" role="alert">
      <p className="text-sm font-semibold text-brand-600 dark:text-brand-300">{status}</p>
      <h1 className="text-2xl font-semibold">{title}</h1>
      <p className="text-slate-600 dark:text-slate-400">{hint}</p>
      {status >= 500 && requestId ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Request id: <code className="font-mono">{requestId}</code>
        </p>
      ) : null}
      <Link to="/" className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
        Back to InfraPilot
      </Link>
    </main>
  );
}
