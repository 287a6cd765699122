// Public: starts an OIDC login (302 to the IdP with PKCE S256, state and nonce). `?test=1` is an
// administrator's "Test" round trip (their session is required; nobody is logged in by it).
import { redirect } from "@remix-run/node";
import { requireApiActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api } from "~/server/http/api.server";
import { beginOidcLogin, beginOidcTest } from "~/server/sso/oidc-login.server";

export const loader = api(async ({ request, context, params }) => {
  requireFeature("sso");
  const url = new URL(request.url);
  const cookieHeader = request.headers.get("cookie");
  const started =
    url.searchParams.get("test") === "1"
      ? await beginOidcTest(await requireApiActor(request, context), params.id!, cookieHeader)
      : await beginOidcLogin(params.id!, { redirectTo: url.searchParams.get("redirectTo") }, cookieHeader);
  return redirect(started.url, { headers: { "Set-Cookie": started.cookie, "Cache-Control": "no-store" } });
});
