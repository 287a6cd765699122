// Start / stop / restart run in the background (operations.ts): stop and restart ask first, the
// dialog closes at once, the row shows the operation and a toast reports how it ended. Delete asks
// for the typed name and posts to the Containers page action (its refusals show in the dialog).
// InfraPilot's own deployment shows its actions disabled, with the reason the server gives.
import { useRevalidator } from "@remix-run/react";
import { useId, useRef } from "react";
import { BUTTON } from "~/components/ui/button-classes";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { PROGRESS, runContainerOperation, usePendingOperations, type ContainerOperation, type OperationTarget } from "./operations";

export interface ActionPermissions {
  canOperate: boolean;
  canDelete: boolean;
}

export function ContainerActions({
  agentId,
  container,
  permissions,
  redirectAfterDelete,
  compact = false,
  reasonId,
}: {
  agentId: string;
  container: { id: string; name: string; state: string; protection?: string | null };
  permissions: ActionPermissions;
  redirectAfterDelete?: string;
  /** In a list row: a short note, the full reason on hover and for screen readers. */
  compact?: boolean;
  /** Id of an element on the page that already shows the protection reason (no second copy here). */
  reasonId?: string;
}) {
  const fields = (intent: string, extra: Record<string, string> = {}) => ({ intent, agentId, containerId: container.id, ...extra });
  const running = container.state === "running" || container.state === "restarting" || container.state === "paused";
  const pendingOf = usePendingOperations(agentId);
  const revalidator = useRevalidator();
  if (!permissions.canOperate && !permissions.canDelete) return null;
  if (container.protection) return <ProtectedActions container={container} reason={container.protection} permissions={permissions} running={running} compact={compact} reasonId={reasonId} />;
  const pending = pendingOf(container.id);
  // Fresh loader data once Docker is done (the detail page has no live feed of its own).
  const run = (op: ContainerOperation) => void runContainerOperation(agentId, [{ id: container.id, name: container.name }], op).then(() => revalidator.revalidate());
  return (
    <div className={`flex flex-wrap items-center gap-2 ${compact ? "md:flex-nowrap" : ""}`}>
      {pending && !compact ? (
        <span role="status" data-testid="operation-progress" data-operation={pending} className="inline-flex items-center gap-2 text-sm text-slate-700 dark:text-slate-300">
          <span aria-hidden className="size-3 animate-spin rounded-full border-2 border-slate-400 border-t-transparent" />
          {PROGRESS[pending]}
        </span>
      ) : null}
      {permissions.canOperate && !running && !pending ? (
        <button type="button" className={BUTTON.secondary} aria-label={`Start ${container.name}`} onClick={() => run("start")}>
          Start
        </button>
      ) : null}
      {permissions.canOperate && running && !pending ? (
        <>
          <OperationDialog target={container} op="stop" onConfirm={run}>
            Docker asks the main process to exit and kills it after 10 seconds. Anything it serves goes offline. It runs in the background; a message says when it is done.
          </OperationDialog>
          <OperationDialog target={container} op="restart" onConfirm={run}>
            The container stops and starts again; it is briefly unavailable. It runs in the background; a message says when it is done.
          </OperationDialog>
        </>
      ) : null}
      {permissions.canDelete && !pending ? (
        <ConfirmDialog
          action="/containers"
          trigger="Delete"
          triggerLabel={`Delete ${container.name}`}
          title={`Delete ${container.name}?`}
          confirm="Delete container"
          typeToConfirm={container.name}
          fields={fields("delete", { name: container.name, ...(redirectAfterDelete ? { redirectTo: redirectAfterDelete } : {}) })}
        >
          {running ? "It is running: it will be killed first. " : ""}Its writable layer and anonymous volumes are removed. Named volumes stay.
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

const VERB = { start: "Start", stop: "Stop", restart: "Restart" } as const;

/**
 * A confirmation for a background operation (one container, a stack or a selection): the dialog
 * closes as soon as the user confirms; progress is on the rows, the outcome in a toast.
 */
export function OperationDialog({
  target,
  op,
  onConfirm,
  children,
  label,
}: {
  target: OperationTarget | { name: string };
  op: ContainerOperation;
  onConfirm: (op: ContainerOperation) => void;
  children: React.ReactNode;
  /** The trigger's accessible name (default "Stop web"). */
  label?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const verb = VERB[op];
  return (
    <>
      <button type="button" aria-label={label ?? `${verb} ${target.name}`} className={op === "stop" ? BUTTON.dangerOutline : BUTTON.secondary} onClick={() => dialog.current?.showModal()}>
        {verb}
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={`${id}-title`}
        className="m-auto w-[calc(100%-2rem)] max-w-md rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        <form
          method="dialog"
          className="flex flex-col gap-4 p-5"
          onSubmit={(e) => {
            e.preventDefault();
            dialog.current?.close();
            onConfirm(op);
          }}
        >
          <h2 id={`${id}-title`} className="text-lg font-semibold">
            {verb} {target.name}?
          </h2>
          <div className="text-sm text-slate-600 dark:text-slate-300">{children}</div>
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <button type="button" className={BUTTON.secondary} onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className={op === "stop" ? BUTTON.danger : BUTTON.primary}>
              {verb}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/** The destructive actions, disabled, each described by the reason (hover, focus and screen readers). */
function ProtectedActions({
  container,
  reason,
  permissions,
  running,
  compact,
  reasonId,
}: {
  container: { name: string };
  reason: string;
  permissions: ActionPermissions;
  running: boolean;
  compact: boolean;
  reasonId?: string;
}) {
  const ownId = useId();
  const id = reasonId ?? ownId;
  const disabled = [...(permissions.canOperate && running ? ["Stop", "Restart"] : []), ...(permissions.canDelete ? ["Delete"] : [])];
  return (
    <div className="flex flex-col gap-1" data-testid="protected-actions">
      <div className="flex flex-wrap gap-2">
        {disabled.map((label) => (
          <button key={label} type="button" disabled aria-label={`${label} ${container.name}`} aria-describedby={id} title={reason} className={`${BUTTON.secondary} cursor-not-allowed`}>
            {label}
          </button>
        ))}
      </div>
      {reasonId ? null : (
        <p id={id} className="max-w-xs text-xs text-slate-600 dark:text-slate-400">
          {compact ? (
            <>
              <span title={reason}>Protected: part of InfraPilot</span>
              <span className="sr-only">. {reason}</span>
            </>
          ) : (
            reason
          )}
        </p>
      )}
    </div>
  );
}
