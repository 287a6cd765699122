// Public: the OIDC redirect URI. Ends like a password login — the session cookie, or the TOTP
// step on the login page — and a refusal lands on the login page with a reason code.
import { redirect } from "@remix-run/node";
import { getActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { ForbiddenError, NotFoundError } from "~/server/errors.server";
import { api, json } from "~/server/http/api.server";
import { clearBrowserCookie, finishOidcLogin } from "~/server/sso/oidc-login.server";
import { mfaHandOffCookie, denialCode } from "~/server/sso/sso-page.server";
import { SsoDeniedError } from "~/server/sso/sign-in.server";

export const loader = api(async ({ request, context, params }) => {
  requireFeature("sso");
  const url = new URL(request.url);
  const meta = { ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined };
  const headers = new Headers({ "Cache-Control": "no-store" });
  headers.append("Set-Cookie", clearBrowserCookie());
  try {
    const done = await finishOidcLogin(params.id!, url.search, request.headers.get("cookie"), meta);
    if (done.kind === "test") {
      const actor = await getActor(request, context);
      if (!actor || actor.userId !== done.testerId) throw new ForbiddenError("Only the administrator who started this test may see its result.");
      return json({ ok: true, provider: done.providerName, groups: done.groups, claims: done.claims }, { headers });
    }
    if (done.result.mfaRequired) {
      headers.append("Set-Cookie", mfaHandOffCookie(done.result.challenge));
      return redirect(`/login?sso=mfa&redirectTo=${encodeURIComponent(done.redirectTo)}`, { headers });
    }
    headers.append("Set-Cookie", done.result.cookie);
    return redirect(done.redirectTo, { headers });
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof ForbiddenError) throw error;
    if (error instanceof SsoDeniedError) return redirect(`/login?sso_error=${denialCode(error.reason)}`, { headers });
    throw error;
  }
});
