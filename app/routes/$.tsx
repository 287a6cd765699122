import { ErrorPage } from "~/components/error-page";

/** Any unknown page: a real 404 with the friendly page. */
export async function loader() {
  throw new Response("Not found", { status: 404 });
}

export default function NotFound() {
  return <ErrorPage status={404} />;
}

export function ErrorBoundary() {
  return <ErrorPage status={404} />;
}
