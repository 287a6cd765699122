// Start / stop / restart in the background: the request goes to the REST API, the row shows the
// operation while Docker works (a stop may take the whole stop timeout), and a toast reports the
// outcome — the server's message when it refuses or fails. A module-level store, so the outcome
// is reported and the rows stay marked even when the user leaves the page and comes back.
import { useSyncExternalStore } from "react";
import { showToast } from "~/components/ui/client-toasts";

export type ContainerOperation = "start" | "stop" | "restart";
export interface OperationTarget {
  id: string;
  name: string;
}

const DONE: Record<ContainerOperation, string> = { start: "started", stop: "stopped", restart: "restarted" };
export const PROGRESS: Record<ContainerOperation, string> = { start: "Starting…", stop: "Stopping…", restart: "Restarting…" };
/** At most this many requests at once for a bulk or stack operation. */
const PARALLEL = 4;

let pending: ReadonlyMap<string, ContainerOperation> = new Map();
const listeners = new Set<() => void>();
const key = (agentId: string, id: string) => `${agentId}/${id}`;

function setPending(agentId: string, id: string, op: ContainerOperation | null) {
  const next = new Map(pending);
  if (op) next.set(key(agentId, id), op);
  else next.delete(key(agentId, id));
  pending = next;
  for (const listener of listeners) listener();
}

/** The operation running on each container of the agent, by container id. */
export function usePendingOperations(agentId: string): (id: string) => ContainerOperation | undefined {
  const snapshot = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => pending,
    () => pending,
  );
  return (id) => snapshot.get(key(agentId, id));
}

/** One container; resolves to null on success, or the reason it failed. */
async function operateOne(agentId: string, target: OperationTarget, op: ContainerOperation): Promise<string | null> {
  setPending(agentId, target.id, op);
  try {
    const res = await fetch(`/api/v1/agents/${encodeURIComponent(agentId)}/containers/${encodeURIComponent(target.id)}/${op}`, {
      method: "POST",
      headers: { Accept: "application/json" },
    });
    if (res.ok) return null;
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    return body?.error?.message ?? `The server answered ${res.status}.`;
  } catch {
    return "The server could not be reached.";
  } finally {
    setPending(agentId, target.id, null);
  }
}

/** Runs the operation on every target (a few at a time) and reports in one toast. */
export async function runContainerOperation(agentId: string, targets: OperationTarget[], op: ContainerOperation): Promise<void> {
  const queue = targets.filter((t) => !pending.has(key(agentId, t.id)));
  const failures: { name: string; message: string }[] = [];
  // Mark every row at once, not only the first few in flight.
  for (const t of queue) setPending(agentId, t.id, op);
  const worker = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const message = await operateOne(agentId, t, op);
      if (message) failures.push({ name: t.name, message });
    }
  };
  const all = [...queue];
  await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
  if (all.length === 0) return;
  if (failures.length === 0) {
    showToast("success", all.length === 1 ? `${all[0]!.name} ${DONE[op]}.` : `${all.length} containers ${DONE[op]}.`);
  } else {
    const detail = failures.map((f) => `${f.name}: ${f.message}`).join(" ");
    showToast("error", all.length === 1 ? `Could not ${op} ${all[0]!.name}. ${failures[0]!.message}` : `${failures.length} of ${all.length} containers could not be ${DONE[op]}. ${detail}`);
  }
}
