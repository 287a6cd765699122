import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { useEffect } from "react";
import { parse } from "cookie";
import stylesheet from "./tailwind.css?url";
import { takeToast } from "~/server/http/page.server";
import { Toaster } from "~/components/ui/toaster";
import { ErrorPage } from "~/components/error-page";

export type Theme = "light" | "dark" | "system";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const themeCookie = parse(request.headers.get("cookie") ?? "").theme;
  const theme: Theme = themeCookie === "light" || themeCookie === "dark" ? themeCookie : "system";
  return { theme, toast: takeToast(request, context), requestId: context.requestId };
}

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

// Runs before paint so a system-dark user never sees a light flash.
const themeScript = `(() => { const c = document.documentElement; if (c.dataset.theme === "system" && matchMedia("(prefers-color-scheme: dark)").matches) c.classList.add("dark"); })();`;

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const theme = data?.theme ?? "system";
  useFollowSystemTheme(theme);
  return (
    <html lang="en" data-theme={theme} className={theme === "dark" ? "dark" : undefined} suppressHydrationWarning>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
        <Meta />
        <Links />
      </head>
      <body className="h-full min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

/**
 * After hydration: keep the `dark` class true to the choice. "System" follows the operating system
 * when it changes (and when the user switches back to "System", which React renders without the class).
 */
function useFollowSystemTheme(theme: Theme) {
  useEffect(() => {
    const root = document.documentElement;
    const query = matchMedia("(prefers-color-scheme: dark)");
    const apply = () => root.classList.toggle("dark", theme === "dark" || (theme === "system" && query.matches));
    apply();
    query.addEventListener("change", apply);
    return () => query.removeEventListener("change", apply);
  }, [theme]);
}

export default function App() {
  const { toast } = useLoaderData<typeof loader>();
  return (
    <>
      <Outlet />
      <Toaster toast={toast} />
    </>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const data = useRouteLoaderData<typeof loader>("root");
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : undefined;
  return <ErrorPage status={status} message={message} requestId={data?.requestId} />;
}
