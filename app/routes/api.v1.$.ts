import { api, json } from "~/server/http/api.server";

const notFound = api(async ({ request }) =>
  json({ error: { code: "not_found", message: `No API endpoint at ${new URL(request.url).pathname}.` } }, 404),
);

export const loader = notFound;
export const action = notFound;
