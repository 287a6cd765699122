// Public, no login: a status page as JSON for embedding (badges, widgets). Cached briefly.
import { publicStatusPage } from "~/server/monitors/status-pages.server";
import { api, json } from "~/server/http/api.server";

export const loader = api(async ({ params }) => {
  const res = json(await publicStatusPage(params.slug!));
  // json() marks API answers no-store; this one is public and the same for everyone.
  res.headers.set("Cache-Control", "public, max-age=30");
  return res;
});
