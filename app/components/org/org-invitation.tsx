// The SaaS invitation page's views: join as the logged-in account, create an account for the
// invited address, log in first, or why the link no longer works (410: used, expired, revoked).
import { Form, Link } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { Field, FormError, NewPasswordField, SubmitButton } from "~/components/ui/field";

type Found = { state: "pending" | "used" | "expired" | "revoked"; email: string; role: string; orgName: string; accountExists: boolean; me: { email: string } | null };

const GONE = {
  used: { title: "This invitation has been used", text: "Each invitation link works once, and this one was used already. If it was you, log in to reach the organization." },
  expired: { title: "This invitation expired", text: "Invitation links are valid for 7 days. Ask the person who invited you to send a new one." },
  revoked: { title: "This invitation was withdrawn", text: "The organization withdrew this invitation. Ask its admins whether you should still join." },
} as const;

export function InvitationGone({ state }: { state: keyof typeof GONE }) {
  return (
    <AuthCard title={GONE[state].title}>
      <div className="flex flex-col gap-4 text-sm text-slate-600 dark:text-slate-300" data-testid={`invitation-${state}`}>
        <p>{GONE[state].text}</p>
        <Link to="/login" className="self-start rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
          Go to the login page
        </Link>
      </div>
    </AuthCard>
  );
}

export function OrgInvitation({ invitation, result, busy, path }: { invitation: Found; result?: { message?: string; fields?: Record<string, string> }; busy: boolean; path: string }) {
  const role = invitation.role.replace("_", " ");
  const subtitle = `You were invited to join ${invitation.orgName} as ${role}.`;
  if (invitation.me) {
    const matches = invitation.me.email.toLowerCase() === invitation.email.toLowerCase();
    return (
      <AuthCard title={`Join ${invitation.orgName}`} subtitle={subtitle}>
        {matches ? (
          <Form method="post" className="flex flex-col gap-4">
            <FormError message={result?.message} />
            <p className="text-sm">
              Joining as <strong className="break-all">{invitation.me.email}</strong>.
            </p>
            <SubmitButton pending={busy}>Join {invitation.orgName}</SubmitButton>
          </Form>
        ) : (
          <div className="flex flex-col gap-4 text-sm text-slate-600 dark:text-slate-300">
            <p>
              This invitation is for <strong className="break-all">{invitation.email}</strong>, and you are logged in as <strong className="break-all">{invitation.me.email}</strong>.
            </p>
            <p>Log out and open the link again as {invitation.email}, or ask for an invitation to your own address.</p>
            <Form method="post" action="/logout">
              <button type="submit" className="rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
                Log out
              </button>
            </Form>
          </div>
        )}
      </AuthCard>
    );
  }
  if (invitation.accountExists) {
    return (
      <AuthCard title={`Join ${invitation.orgName}`} subtitle={subtitle}>
        <div className="flex flex-col gap-4 text-sm text-slate-600 dark:text-slate-300">
          <p>
            You have an account as <strong className="break-all">{invitation.email}</strong>. Log in, and you come back here to join.
          </p>
          <Link to={`/login?redirectTo=${encodeURIComponent(path)}`} className="self-start rounded-md bg-brand-600 px-4 py-2 font-medium text-white hover:bg-brand-700">
            Log in to accept
          </Link>
        </div>
      </AuthCard>
    );
  }
  return (
    <AuthCard title={`Join ${invitation.orgName}`} subtitle={`${subtitle} Create your account to accept.`}>
      <Form method="post" className="flex flex-col gap-4" noValidate>
        <FormError message={result?.message} />
        <input type="email" name="username" autoComplete="username" value={invitation.email} readOnly hidden />
        <p className="text-sm">
          Account: <strong className="break-all">{invitation.email}</strong>
        </p>
        <Field label="Your name" name="name" autoComplete="name" error={result?.fields?.name} autoFocus />
        <NewPasswordField error={result?.fields?.password} />
        <SubmitButton pending={busy}>Create account and join</SubmitButton>
      </Form>
    </AuthCard>
  );
}
