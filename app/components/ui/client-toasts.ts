// Toasts raised in the browser (a background container operation finishing, failing), shown by the
// root Toaster beside the one-shot toast of the last action. A module-level store: an operation
// that outlives the component that started it (the user moved on) still reports its outcome.
import { useSyncExternalStore } from "react";

export interface ClientToast {
  id: number;
  kind: "success" | "error" | "info";
  message: string;
}

let toasts: ClientToast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const EMPTY: ClientToast[] = [];

function emit() {
  for (const listener of listeners) listener();
}

/** Shows a toast; successes fade after a few seconds, errors stay until dismissed. */
export function showToast(kind: ClientToast["kind"], message: string): number {
  const id = nextId++;
  toasts = [...toasts.slice(-4), { id, kind, message }];
  emit();
  if (kind !== "error") setTimeout(() => dismissToast(id), 6000);
  return id;
}

export function dismissToast(id: number): void {
  if (!toasts.some((t) => t.id === id)) return;
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

export function useClientToasts(): ClientToast[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => toasts,
    () => EMPTY,
  );
}
