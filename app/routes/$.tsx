import { ErrorPage } from "~/components/error-page";
import { page } from "~/server/http/page.server";

/** Any unknown page: a real 404 with the friendly page. */
export const loader = page(async () => {
  throw new Response("Not found", { status: 404 });
});

export default function NotFound() {
  return <ErrorPage status={404} />;
}

export function ErrorBoundary() {
  return <ErrorPage status={404} />;
}
