// Start / stop / restart with a confirmation, delete after typing the name. Posts to the
// Containers page action, which calls the domain verbs (and shows their refusals in the dialog).
// InfraPilot's own deployment shows its actions disabled, with the reason the server gives.
import { useId } from "react";
import { BUTTON } from "~/components/ui/button-classes";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";

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
  if (!permissions.canOperate && !permissions.canDelete) return null;
  if (container.protection) return <ProtectedActions container={container} reason={container.protection} permissions={permissions} running={running} compact={compact} reasonId={reasonId} />;
  return (
    <div className="flex flex-wrap gap-2">
      {permissions.canOperate && !running ? (
        <ConfirmDialog action="/containers" trigger="Start" triggerLabel={`Start ${container.name}`} title={`Start ${container.name}?`} confirm="Start" tone="neutral" fields={fields("start")}>
          The container starts with its current configuration.
        </ConfirmDialog>
      ) : null}
      {permissions.canOperate && running ? (
        <>
          <ConfirmDialog action="/containers" trigger="Stop" triggerLabel={`Stop ${container.name}`} title={`Stop ${container.name}?`} confirm="Stop" fields={fields("stop")}>
            Docker asks the main process to exit and kills it after 10 seconds. Anything it serves goes offline.
          </ConfirmDialog>
          <ConfirmDialog action="/containers" trigger="Restart" triggerLabel={`Restart ${container.name}`} title={`Restart ${container.name}?`} confirm="Restart" tone="neutral" fields={fields("restart")}>
            The container stops and starts again; it is briefly unavailable.
          </ConfirmDialog>
        </>
      ) : null}
      {permissions.canDelete ? (
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
