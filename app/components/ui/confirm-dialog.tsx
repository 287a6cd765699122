// A button that opens a modal confirmation (native <dialog>: focus trap, Escape closes) whose
// confirm button posts a small form through a fetcher. It closes when the action succeeds (a
// redirect) and shows the action's message when it answers `{ ok: false, message }`.
import { useFetcher } from "@remix-run/react";
import { useEffect, useId, useRef, useState } from "react";
import { BUTTON, INPUT } from "./button-classes";
import { FormError } from "./field";

export interface ConfirmDialogProps {
  /** The button that opens the dialog. */
  trigger: string;
  /** Accessible name of the trigger when the visible text alone is ambiguous (e.g. "Delete Ann"). */
  triggerLabel?: string;
  title: string;
  children: React.ReactNode;
  confirm: string;
  /** Hidden fields posted with the confirmation (intent, ids). */
  fields: Record<string, string>;
  /** The user must type this exact text (posted as `confirmation`) before confirming. */
  typeToConfirm?: string;
  tone?: "danger" | "neutral";
  action?: string;
}

export function ConfirmDialog({ trigger, triggerLabel, title, children, confirm, fields, typeToConfirm, tone = "danger", action }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const fetcher = useFetcher<{ ok?: boolean; message?: string; fields?: Record<string, string> }>();
  const [typed, setTyped] = useState("");
  const submitted = useRef(false);
  const id = useId();
  const failed = fetcher.data?.ok === false ? fetcher.data : undefined;

  useEffect(() => {
    if (fetcher.state !== "idle") submitted.current = true;
    else if (submitted.current) {
      submitted.current = false;
      if (fetcher.data?.ok !== false) dialog.current?.close();
    }
  }, [fetcher.state, fetcher.data]);

  const matches = !typeToConfirm || typed.trim().toLowerCase() === typeToConfirm.toLowerCase();
  return (
    <>
      <button
        type="button"
        aria-label={triggerLabel}
        className={tone === "danger" ? BUTTON.dangerOutline : BUTTON.secondary}
        onClick={() => {
          setTyped("");
          dialog.current?.showModal();
        }}
      >
        {trigger}
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={`${id}-title`}
        className="m-auto w-[calc(100%-2rem)] max-w-md rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        <fetcher.Form method="post" action={action} className="flex flex-col gap-4 p-5">
          <h2 id={`${id}-title`} className="text-lg font-semibold">
            {title}
          </h2>
          <div className="text-sm text-slate-600 dark:text-slate-300">{children}</div>
          <FormError message={failed?.message} />
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          {typeToConfirm ? (
            <div className="flex flex-col gap-1">
              <label htmlFor={`${id}-confirm`} className="text-sm font-medium">
                Type <span className="font-mono">{typeToConfirm}</span> to confirm
              </label>
              <input
                id={`${id}-confirm`}
                name="confirmation"
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
                autoComplete="off"
                spellCheck={false}
                className={INPUT}
              />
            </div>
          ) : null}
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <button type="button" className={BUTTON.secondary} onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" disabled={!matches || fetcher.state !== "idle"} className={tone === "danger" ? BUTTON.danger : BUTTON.primary}>
              {fetcher.state !== "idle" ? "Working…" : confirm}
            </button>
          </div>
        </fetcher.Form>
      </dialog>
    </>
  );
}
