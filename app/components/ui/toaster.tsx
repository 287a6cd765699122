import { useEffect, useState } from "react";

type Toast = { kind: "success" | "error" | "info"; message: string } | null;

const STYLE = {
  success: "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-700 dark:bg-emerald-950 dark:text-emerald-100",
  error: "border-red-300 bg-red-50 text-red-900 dark:border-red-700 dark:bg-red-950 dark:text-red-100",
  info: "border-slate-300 bg-white text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100",
};

/** Shows the one-shot toast from the last action for a few seconds. */
export function Toaster({ toast }: { toast: Toast }) {
  const [dismissed, setDismissed] = useState<Toast>(null);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setDismissed(toast), 5000);
    return () => clearTimeout(t);
  }, [toast]);
  if (!toast || dismissed === toast) return null;
  return (
    <div role="status" aria-live="polite" className="fixed inset-x-0 bottom-4 z-50 flex justify-center px-4 sm:justify-end">
      <div className={`flex max-w-sm items-start gap-3 rounded-lg border px-4 py-3 text-sm shadow-lg ${STYLE[toast.kind]}`}>
        <span className="flex-1">{toast.message}</span>
        <button type="button" onClick={() => setDismissed(toast)} className="opacity-60 hover:opacity-100" aria-label="Dismiss">
          ×
        </button>
      </div>
    </div>
  );
}
