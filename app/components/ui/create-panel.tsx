// A "create" form that clears and closes once it succeeded: a second click cannot make a
// duplicate, and nothing typed (a private key, a channel secret) stays on the screen. A refused
// submission keeps what was typed, with the errors, so it can be fixed. "Add another" opens a
// fresh, empty form and puts the cursor in its first field.
import { useNavigation } from "@remix-run/react";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { BUTTON } from "./button-classes";

type Result = { ok: boolean; intent?: string } | undefined | null;

/**
 * How many submissions of `intent` have succeeded on this page: a redirect (no action data) or
 * `{ ok: true }` answers are successes. Used as a React key, it remounts, and so empties, a form.
 */
export function useSucceededCount(intent: string, result: Result): number {
  const navigation = useNavigation();
  const pendingIntent = navigation.state !== "idle" ? String(navigation.formData?.get("intent") ?? "") : null;
  // Adjusted while rendering (React's pattern for state derived from a change), not in an effect.
  const [seen, setSeen] = useState({ submitting: false, count: 0 });
  if (pendingIntent === intent && !seen.submitting) setSeen({ submitting: true, count: seen.count });
  if (navigation.state === "idle" && seen.submitting) {
    const refused = Boolean(result && result.ok === false && (result.intent === undefined || result.intent === intent));
    setSeen({ submitting: false, count: refused ? seen.count : seen.count + 1 });
  }
  return seen.count;
}

export function CreatePanel({ title, addLabel, intent, result, doneMessage, children }: { title: string; addLabel: string; intent: string; result: Result; doneMessage: string; children: ReactNode }) {
  const succeeded = useSucceededCount(intent, result);
  // Open until a submission succeeds; "Add another" opens it again (a fresh form, keyed by the count).
  const [reopenedAt, setReopenedAt] = useState(0);
  const open = succeeded === reopenedAt;
  const body = useRef<HTMLDivElement>(null);
  const focusOnOpen = useRef(false);
  useEffect(() => {
    if (!open || !focusOnOpen.current) return;
    focusOnOpen.current = false;
    body.current?.querySelector<HTMLElement>("input:not([type=hidden]):not([type=radio]), select, textarea")?.focus();
  }, [open]);
  return (
    <section aria-label={title} data-testid="create-panel" data-open={open} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="mb-3 flex items-center justify-between gap-3">
        <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{title}</h2>
        {!open ? (
          <button
            type="button"
            className={BUTTON.secondary}
            onClick={() => {
              focusOnOpen.current = true;
              setReopenedAt(succeeded);
            }}
          >
            {addLabel}
          </button>
        ) : null}
      </div>
      {open ? (
        <div ref={body} key={succeeded}>
          {children}
        </div>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="create-done">
          {doneMessage}
        </p>
      )}
    </section>
  );
}
