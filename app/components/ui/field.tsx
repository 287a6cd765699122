import { Link } from "@remix-run/react";
import { PASSWORD_MIN_LENGTH } from "~/validation/password-policy";
import { useId } from "react";

export function Field({
  label,
  name,
  type = "text",
  error,
  defaultValue,
  autoComplete,
  hint,
  autoFocus,
  required = true,
}: {
  label: string;
  name: string;
  type?: string;
  error?: string;
  defaultValue?: string;
  autoComplete?: string;
  hint?: string;
  autoFocus?: boolean;
  required?: boolean;
}) {
  const id = useId();
  const described = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        name={name}
        type={type}
        defaultValue={defaultValue}
        autoComplete={autoComplete}
        autoFocus={autoFocus}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
        className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-500/30 aria-[invalid]:border-red-500 dark:border-slate-700 dark:bg-slate-900"
      />
      {error ? (
        <p id={`${id}-error`} className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** Where the plan and its usage are shown (SaaS, decision 126). */
export const PLAN_PAGE = "/settings/plan";

/** A form's refusal; a 402 `plan_limit` also links to the plan page, which says what to do. */
export function FormError({ message, code }: { message?: string; code?: string }) {
  if (!message) return null;
  return (
    <div role="alert" data-code={code} className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
      {message}
      {code === "plan_limit" ? <PlanLimitLink /> : null}
    </div>
  );
}

export function PlanLimitLink() {
  return (
    <>
      {" "}
      <Link to={PLAN_PAGE} className="font-medium underline underline-offset-2 hover:no-underline">
        See your plan and usage
      </Link>{" "}
      for the limits and what to do.
    </>
  );
}

export function SubmitButton({ children, pending }: { children: React.ReactNode; pending?: boolean }) {
  return (
    <button
      type="submit"
      disabled={pending}
      className="inline-flex items-center justify-center rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-brand-700 disabled:opacity-60"
    >
      {pending ? "Working…" : children}
    </button>
  );
}

/** The "choose a password" field of setup, invitations and password changes. */
export function NewPasswordField({ error, name = "password", label = "Password", autoFocus }: { error?: string; name?: string; label?: string; autoFocus?: boolean }) {
  return <Field label={label} name={name} type="password" autoComplete="new-password" error={error} hint={`At least ${PASSWORD_MIN_LENGTH} characters.`} autoFocus={autoFocus} />;
}
