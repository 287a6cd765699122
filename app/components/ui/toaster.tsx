import { useEffect, useState } from "react";
import { dismissToast, useClientToasts, type ClientToast } from "./client-toasts";

type Toast = { kind: "success" | "error" | "info"; message: string } | null;

const STYLE = {
  success: "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-700 dark:bg-emerald-950 dark:text-emerald-100",
  error: "border-red-300 bg-red-50 text-red-900 dark:border-red-700 dark:bg-red-950 dark:text-red-100",
  info: "border-slate-300 bg-white text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100",
};

/** Shows the one-shot toast from the last action for a few seconds, and the browser's own toasts. */
export function Toaster({ toast }: { toast: Toast }) {
  const [dismissed, setDismissed] = useState<Toast>(null);
  const client = useClientToasts();
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setDismissed(toast), 5000);
    return () => clearTimeout(t);
  }, [toast]);
  const server = toast && dismissed !== toast ? toast : null;
  if (!server && client.length === 0) return null;
  return (
    <div className="pointer-events-none fixed inset-x-0 bottom-4 z-50 flex flex-col items-center gap-2 px-4 sm:items-end">
      {server ? <ToastBox kind={server.kind} message={server.message} onDismiss={() => setDismissed(server)} /> : null}
      {client.map((t: ClientToast) => (
        <ToastBox key={t.id} kind={t.kind} message={t.message} onDismiss={() => dismissToast(t.id)} />
      ))}
    </div>
  );
}

function ToastBox({ kind, message, onDismiss }: { kind: keyof typeof STYLE; message: string; onDismiss: () => void }) {
  // Errors interrupt (role=alert); the rest is announced politely.
  return (
    <div
      role={kind === "error" ? "alert" : "status"}
      aria-live={kind === "error" ? "assertive" : "polite"}
      data-testid="toast"
      data-kind={kind}
      className={`pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-lg border px-4 py-3 text-sm shadow-lg ${STYLE[kind]}`}
    >
      <span className="wrap-anywhere flex-1">{message}</span>
      <button type="button" onClick={onDismiss} className="opacity-60 hover:opacity-100" aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
