// "Test": LDAP connects and binds (and, given a username and password, checks a login); OIDC
// discovers the issuer and answers the link of a real round trip that shows the claims.
import { z } from "zod";
import { requireApiActor } from "~/server/auth/require.server";
import { requireFeature } from "~/server/edition.server";
import { api, json, parseWith, requireMethod } from "~/server/http/api.server";
import { ValidationError } from "~/server/errors.server";
import { testProvider } from "~/server/sso/ldap-login.server";

const TestSchema = z.object({ username: z.string().max(256).optional(), password: z.string().max(1024).optional() });

export const action = api(async ({ request, context, params }) => {
  requireFeature("sso");
  requireMethod(request, "POST");
  const actor = await requireApiActor(request, context);
  const text = await request.text();
  let body: unknown = {};
  try {
    if (text.trim()) body = JSON.parse(text);
  } catch {
    throw new ValidationError("The body is not valid JSON.");
  }
  const input = parseWith(TestSchema, body);
  return json(await testProvider(actor, params.id!, input));
});
