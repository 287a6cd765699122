// Step two of turning MFA on: scan the QR code (or type the secret), then confirm with a code.
// The confirmation goes through a fetcher so a wrong code keeps the QR code on screen.
import { useFetcher } from "@remix-run/react";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { CopyButton } from "~/components/ui/copy-button";
import { BackupCodes } from "./backup-codes";

export interface EnrolmentResult {
  ok: boolean;
  message?: string;
  fields?: Record<string, string>;
  backupCodes?: string[];
}

export function MfaEnrolment({ secret, qrSvg, email, continueTo }: { secret: string; qrSvg: string; email: string; continueTo: string }) {
  const fetcher = useFetcher<EnrolmentResult>();
  if (fetcher.data?.ok && fetcher.data.backupCodes) {
    return (
      <div className="flex flex-col gap-4">
        <p className="text-sm font-medium text-emerald-700 dark:text-emerald-400">Two-factor authentication is on.</p>
        <BackupCodes codes={fetcher.data.backupCodes} email={email} continueTo={continueTo} />
      </div>
    );
  }
  const failed = fetcher.data?.ok === false ? fetcher.data : undefined;
  return (
    <div className="flex flex-col gap-6 md:flex-row">
      <div className="flex flex-col items-center gap-2">
        {/* Generated on our server by the qrcode library from the otpauth URI: no user content in it. */}
        <div
          className="h-48 w-48 rounded-lg bg-white p-2 [&_svg]:h-full [&_svg]:w-full"
          role="img"
          aria-label="QR code for your authenticator app"
          dangerouslySetInnerHTML={{ __html: qrSvg }}
        />
      </div>
      <div className="flex min-w-0 flex-1 flex-col gap-4 text-sm">
        <ol className="list-decimal space-y-1 pl-5">
          <li>Open an authenticator app (for example Aegis, 2FAS, Google Authenticator or 1Password).</li>
          <li>Scan the QR code, or enter the key below by hand (time-based, 6 digits, 30 seconds).</li>
          <li>Type the 6-digit code the app shows to confirm.</li>
        </ol>
        <div>
          <p className="text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">Setup key</p>
          <div className="mt-1 flex flex-wrap items-center gap-2">
            <code data-testid="mfa-secret" className="wrap-anywhere rounded bg-slate-100 px-2 py-1 font-mono text-sm dark:bg-slate-800">
              {secret.match(/.{1,4}/g)?.join(" ")}
            </code>
            <CopyButton text={secret} label="Copy key" />
          </div>
        </div>
        <fetcher.Form method="post" className="flex max-w-xs flex-col gap-3" noValidate>
          <input type="hidden" name="intent" value="enable" />
          <FormError message={failed && !failed.fields?.code ? failed.message : undefined} />
          <Field label="Code from the app" name="code" autoComplete="one-time-code" error={failed?.fields?.code ? failed.message : undefined} autoFocus />
          <SubmitButton pending={fetcher.state !== "idle"}>Turn on two-factor authentication</SubmitButton>
        </fetcher.Form>
      </div>
    </div>
  );
}
