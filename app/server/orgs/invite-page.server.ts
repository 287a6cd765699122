// The SaaS half of /invite/$token (decision 093): show the invitation (or why it is gone, with
// 410), accept it as the logged-in account or as a new one. Community's half stays in the route.
import { data, type AppLoadContext } from "@remix-run/node";
import { getActor } from "~/server/auth/require.server";
import { formFailure } from "~/server/http/form-failure.server";
import { parseForm, redirectWithToast } from "~/server/http/page.server";
import { acceptOrgInvitation, InvitationGoneError, viewOrgInvitation, type InvitationState } from "~/server/orgs/invitations.server";
import { AcceptInvitationAsNewSchema } from "~/validation/orgs";

export type SaasInvitationData =
  | { saas: true; found: false }
  | { saas: true; found: true; state: InvitationState; email: string; role: string; orgName: string; accountExists: boolean; me: { email: string } | null };

export async function saasInvitationLoader(request: Request, context: AppLoadContext, token: string) {
  const view = await viewOrgInvitation(token);
  if (!view) return data<SaasInvitationData>({ saas: true, found: false }, { status: 404 });
  const actor = await getActor(request, context).catch(() => null);
  const body: SaasInvitationData = { saas: true, found: true, ...view, me: actor ? { email: actor.email } : null };
  return data(body, { status: view.state === "pending" ? 200 : 410 });
}

export async function saasInvitationAction(request: Request, context: AppLoadContext, token: string) {
  const actor = await getActor(request, context).catch(() => null);
  try {
    if (actor) {
      const { org } = await acceptOrgInvitation(token, { kind: "session", actor });
      return redirectWithToast("/dashboard", { kind: "success", message: `You joined ${org.name}.` });
    }
    const form = await parseForm(request, AcceptInvitationAsNewSchema);
    if (!form.ok) return { ok: false as const, gone: null, message: undefined, fields: form.fields };
    const { org, cookie } = await acceptOrgInvitation(token, { kind: "new", ...form.data, ip: context.clientIp, userAgent: request.headers.get("user-agent") ?? undefined });
    return redirectWithToast("/dashboard", { kind: "success", message: `Welcome to InfraPilot. You joined ${org.name}.` }, cookie ? { "Set-Cookie": cookie } : {});
  } catch (error) {
    if (error instanceof InvitationGoneError) return data({ ok: false as const, gone: error.state, message: error.message, fields: {} }, { status: 410 });
    return { ...formFailure(error), gone: null };
  }
}
