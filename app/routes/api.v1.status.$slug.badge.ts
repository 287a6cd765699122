// Public, no login: a status page as a shields.io endpoint badge
// (https://img.shields.io/endpoint?url=<this URL>): label, message and colour only. Cached briefly.
import { badgeOf, publicStatusPage } from "~/server/monitors/status-pages.server";
import { api, json } from "~/server/http/api.server";

export const loader = api(async ({ params }) => {
  const res = json(badgeOf(await publicStatusPage(params.slug!)));
  res.headers.set("Cache-Control", "public, max-age=30");
  res.headers.set("Access-Control-Allow-Origin", "*");
  return res;
});
