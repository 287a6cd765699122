import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { formatBytes } from "~/components/containers/format";
import { DockerSectionNav } from "~/components/docker-objects/section-nav";
import { ObjectsPageState, ProtectedNote, SizeCreatedUsedCells } from "~/components/docker-objects/shared";
import { RouteErrorBoundary } from "~/components/route-error";
import { Badge } from "~/components/ui/badge";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { EmptyState, PageHeader } from "~/components/ui/page";
import { TableHead } from "~/components/ui/table-head";
import type { VolumeItem } from "~/docker-objects";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { objectsPage } from "~/server/docker/objects-page.server";
import { listVolumes, pruneVolumes, removeVolume } from "~/server/docker/volumes.server";
import { formFailure } from "~/server/http/form-failure.server";
import { pageAgent, pathOnAgent } from "~/server/http/agent-choice.server";
import { AgentPicker } from "~/components/agents/agent-picker";
import { page, parseForm, readForm, redirectWithToast, requirePageFeature } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("containers");
  const actor = await requireUserWithPermission(request, context, "read:docker-object");
  const { agentId, agent, picker } = await pageAgent(actor, request, context);
  return { ...(await objectsPage(actor, agentId, (id) => listVolumes(actor, id))), agent, picker };
});

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("remove"), agentId: z.string().min(1).max(100), name: z.string().min(1).max(200) }),
  z.object({ intent: z.literal("prune"), agentId: z.string().min(1).max(100), all: z.enum(["true", "false"]) }),
]);

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("containers");
  const actor = await requireUserWithPermission(request, context, "read:docker-object");
  const form = await parseForm(await readForm(request), ActionSchema);
  if (!form.ok) return { ok: false as const, message: "That request was not valid. Reload the page and try again." };
  try {
    if (form.data.intent === "remove") {
      await removeVolume(actor, form.data.agentId, form.data.name);
      return redirectWithToast(pathOnAgent("/volumes", form.data.agentId), { kind: "success", message: `Volume ${form.data.name} was removed.` });
    }
    const result = await pruneVolumes(actor, form.data.agentId, { all: form.data.all === "true" });
    const what = result.deleted.length === 0 ? "Nothing to remove" : `Removed ${result.deleted.length} volume${result.deleted.length === 1 ? "" : "s"}`;
    return redirectWithToast(pathOnAgent("/volumes", form.data.agentId), { kind: "success", message: `${what}; reclaimed ${formatBytes(result.reclaimedBytes)}.` });
  } catch (error) {
    return formFailure(error);
  }
});

export default function VolumesPage() {
  const { agentId: chosenAgentId, dockerHost: engineAt, data, unreachable, offline, permissions, agent, picker } = useLoaderData<typeof loader>();
  const agentId = chosenAgentId ?? "";
  const dockerHost = engineAt ?? agent?.name ?? "this agent";
  const items = data?.items ?? [];
  const unusedAnonymous = items.filter((v) => v.anonymous && v.containers.length === 0 && !v.protection).length;
  const unused = items.filter((v) => v.containers.length === 0 && !v.protection).length;
  const total = items.reduce((n, v) => n + (v.sizeBytes ?? 0), 0);
  return (
    <>
      <DockerSectionNav picker={picker} />
      <PageHeader title="Volumes" description={data ? `${items.length} volumes${data.sizesKnown ? `, ${formatBytes(total)}` : ""} on ${dockerHost}` : `Docker at ${dockerHost}`}>
        {permissions.canDelete && data ? (
          <div className="flex flex-wrap gap-2">
            <ConfirmDialog trigger="Prune anonymous" title="Remove unused anonymous volumes?" confirm="Remove anonymous" fields={{ intent: "prune", agentId, all: "false" }}>
              Removes the {unusedAnonymous} volume{unusedAnonymous === 1 ? "" : "s"} Docker named itself that no container uses. Named volumes stay.
            </ConfirmDialog>
            <ConfirmDialog trigger="Remove all unused" title="Remove every unused volume?" confirm="Remove unused" typeToConfirm="delete data" fields={{ intent: "prune", agentId, all: "true" }}>
              Removes the {unused} volume{unused === 1 ? "" : "s"} no container uses, named ones included. <strong>Their data is gone for good.</strong> Volumes of InfraPilot's own deployment stay.
            </ConfirmDialog>
          </div>
        ) : null}
      </PageHeader>
      <AgentPicker picker={picker} />
      <ObjectsPageState picker={picker} agent={agent} offline={offline} unreachable={unreachable} lead="Volumes come from the Docker hosts of your organization." />
      {data ? (
        items.length === 0 ? (
          <EmptyState title="No volumes on this host">Volumes appear here when a container or `docker volume create` makes one.</EmptyState>
        ) : (
          <>
            {!data.sizesKnown ? <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">The engine did not report sizes quickly enough; they are left out rather than slowing this page.</p> : null}
            <table className="block w-full text-sm md:table">
              <TableHead stackOnPhone columns={["Volume", "Size", "Created", "Used by", permissions.canDelete && "Actions"]} />
              <tbody className="block divide-y divide-slate-200 md:table-row-group dark:divide-slate-800">
                {items.map((volume) => (
                  <VolumeRow key={volume.name} volume={volume} agentId={agentId} canDelete={permissions.canDelete} />
                ))}
              </tbody>
            </table>
          </>
        )
      ) : null}
    </>
  );
}

function VolumeRow({ volume, agentId, canDelete }: { volume: VolumeItem; agentId: string; canDelete: boolean }) {
  const inUse = volume.containers.length > 0;
  return (
    <tr data-testid="volume-row" data-name={volume.name} className="flex flex-col gap-1 py-3 md:table-row">
      <td className="min-w-0 md:py-2 md:pr-3 md:align-top">
        <p className="break-all font-mono text-sm font-medium">{volume.anonymous ? `${volume.name.slice(0, 12)}…` : volume.name}</p>
        <div className="mt-0.5 flex flex-wrap gap-1">
          {volume.anonymous ? <Badge tone="muted">anonymous</Badge> : null}
          {volume.stack ? <Badge tone="muted">stack {volume.stack}</Badge> : null}
          {volume.driver !== "local" ? <Badge tone="muted">{volume.driver}</Badge> : null}
        </div>
      </td>
      <SizeCreatedUsedCells agentId={agentId} sizeBytes={volume.sizeBytes} createdAt={volume.createdAt} users={volume.containers} />
      {canDelete ? (
        <td className="md:py-2 md:align-top">
          {volume.protection ? (
            <ProtectedNote reason={volume.protection} />
          ) : inUse ? (
            <span className="text-xs text-slate-600 dark:text-slate-400">In use</span>
          ) : (
            <ConfirmDialog trigger="Remove" triggerLabel={`Remove ${volume.name}`} title={`Remove ${volume.anonymous ? "this anonymous volume" : volume.name}?`} confirm="Remove" typeToConfirm={volume.anonymous ? undefined : volume.name} fields={{ intent: "remove", agentId, name: volume.name }}>
              Its data is deleted for good.
            </ConfirmDialog>
          )}
        </td>
      ) : null}
    </tr>
  );
}

export const meta: MetaFunction = () => [{ title: "Volumes · InfraPilot" }];
export const ErrorBoundary = RouteErrorBoundary;
