import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { InvitationGone, OrgInvitation } from "~/components/org/org-invitation";
import { edition } from "~/server/edition.server";
import { saasInvitationAction, saasInvitationLoader } from "~/server/orgs/invite-page.server";
import { AuthCard } from "~/components/auth-card";
import { FormError, NewPasswordField, SubmitButton } from "~/components/ui/field";
import { NotFoundError } from "~/server/errors.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, parseForm, redirectWithToast } from "~/server/http/page.server";
import { acceptInvitation, findInvitation } from "~/server/users/invitations.server";
import { AcceptInvitationSchema } from "~/validation/users";

export const loader = page(async ({ params, request, context }: LoaderFunctionArgs) => {
  // SaaS: invitations by e-mail to join an organization (decision 093).
  if (edition() === "saas") return saasInvitationLoader(request, context, params.token ?? "");
  const invitation = await findInvitation(params.token ?? "");
  return invitation ? { valid: true as const, ...invitation } : { valid: false as const };
});

export const action = page(async ({ request, params, context }: ActionFunctionArgs) => {
  if (edition() === "saas") return saasInvitationAction(request, context, params.token ?? "");
  const form = await parseForm(request, AcceptInvitationSchema);
  if (!form.ok) return { ok: false as const, expired: false, message: undefined, fields: form.fields };
  try {
    const { cookie } = await acceptInvitation(params.token ?? "", form.data.password, {
      ip: context.clientIp,
      userAgent: request.headers.get("user-agent") ?? undefined,
    });
    return redirectWithToast("/dashboard", { kind: "success", message: "Welcome to InfraPilot. Your password is set." }, { "Set-Cookie": cookie });
  } catch (error) {
    // Used or expired between showing the form and submitting it.
    if (error instanceof NotFoundError) return { ok: false as const, expired: true, message: error.message, fields: {} };
    return { ...formFailure(error), expired: false };
  }
});

export default function InvitationPage() {
  const invitation = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const path = useLocation().pathname;
  if ("saas" in invitation) {
    const gone = result && "gone" in result && result.gone ? result.gone : invitation.found && invitation.state !== "pending" ? invitation.state : null;
    if (gone) return <InvitationGone state={gone} />;
    if (invitation.found) return <OrgInvitation invitation={invitation} result={result as { message?: string; fields?: Record<string, string> } | undefined} busy={busy} path={path} />;
  }
  if (!("valid" in invitation) || !invitation.valid || (result && "expired" in result && result.expired)) {
    return (
      <AuthCard title="This invitation link does not work">
        <div className="flex flex-col gap-4 text-sm text-slate-600 dark:text-slate-300">
          <p>The link may have been used already, or it expired (links are valid for 72 hours), or it was copied only in part.</p>
          <p>Ask the person who invited you for a new link. If you already set your password, log in instead.</p>
          <Link to="/login" className="self-start rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
            Go to the login page
          </Link>
        </div>
      </AuthCard>
    );
  }
  return (
    <AuthCard title={`Welcome, ${invitation.name}`} subtitle="You were invited to InfraPilot. Choose a password to finish setting up your account.">
      <Form method="post" className="flex flex-col gap-4" noValidate>
        <FormError message={result?.message} />
        {/* Lets password managers store the new password under the right account. */}
        <input type="email" name="username" autoComplete="username" value={invitation.email} readOnly hidden />
        <p className="text-sm">
          Account: <strong className="wrap-anywhere">{invitation.email}</strong>
        </p>
        <NewPasswordField error={(result?.fields as Record<string, string> | undefined)?.password} autoFocus />
        <SubmitButton pending={busy}>Set password and log in</SubmitButton>
      </Form>
    </AuthCard>
  );
}

export const meta: MetaFunction = () => [{ title: "Accept invitation · InfraPilot" }, { name: "robots", content: "noindex" }];
