// Public: the SSO buttons of the login page (Community: its one organization; SaaS: ?org=<slug>).
import { requireFeature, edition } from "~/server/edition.server";
import { api, json, readQuery } from "~/server/http/api.server";
import { publicProviders } from "~/server/sso/providers.server";
import { SsoProvidersQuerySchema } from "~/validation/sso";

export const loader = api(async ({ request }) => {
  requireFeature("sso");
  const { org } = readQuery(request, SsoProvidersQuerySchema);
  return json(await publicProviders({ orgSlug: org, community: edition() === "community" }));
});
