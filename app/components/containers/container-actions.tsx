// Start / stop / restart with a confirmation, delete after typing the name. Posts to the
// Containers page action, which calls the domain verbs (and shows their refusals in the dialog).
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
}: {
  agentId: string;
  container: { id: string; name: string; state: string };
  permissions: ActionPermissions;
  redirectAfterDelete?: string;
}) {
  const fields = (intent: string, extra: Record<string, string> = {}) => ({ intent, agentId, containerId: container.id, ...extra });
  const running = container.state === "running" || container.state === "restarting" || container.state === "paused";
  if (!permissions.canOperate && !permissions.canDelete) return null;
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
