import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useRevalidator } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { formatBytes } from "~/components/containers/format";
import { PullForm } from "~/components/docker-objects/pull-form";
import { DockerSectionNav } from "~/components/docker-objects/section-nav";
import { ObjectsPageState, ProtectedNote, SizeCreatedUsedCells } from "~/components/docker-objects/shared";
import { RouteErrorBoundary } from "~/components/route-error";
import { Badge } from "~/components/ui/badge";
import { INPUT } from "~/components/ui/button-classes";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { EmptyState, PageHeader } from "~/components/ui/page";
import { TableHead } from "~/components/ui/table-head";
import type { ImageItem } from "~/docker-objects";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { listImages, pruneImages, removeImage } from "~/server/docker/images.server";
import { objectsPage } from "~/server/docker/objects-page.server";
import { formFailure } from "~/server/http/form-failure.server";
import { pageAgent, pathOnAgent } from "~/server/http/agent-choice.server";
import { AgentPicker } from "~/components/agents/agent-picker";
import { page, parseForm, readForm, redirectWithToast, requirePageFeature } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("containers");
  const actor = await requireUserWithPermission(request, context, "read:docker-object");
  const { agentId, agent, picker } = await pageAgent(actor, request, context);
  return { ...(await objectsPage(actor, agentId, (id) => listImages(actor, id))), agent, picker };
});

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("remove"), agentId: z.string().min(1).max(100), imageId: z.string().min(1).max(100), force: z.enum(["true", "false"]).default("false") }),
  z.object({ intent: z.literal("prune"), agentId: z.string().min(1).max(100), all: z.enum(["true", "false"]) }),
]);

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("containers");
  const actor = await requireUserWithPermission(request, context, "read:docker-object");
  const form = await parseForm(await readForm(request), ActionSchema);
  if (!form.ok) return { ok: false as const, message: "That request was not valid. Reload the page and try again." };
  try {
    if (form.data.intent === "remove") {
      const { deleted } = await removeImage(actor, form.data.agentId, form.data.imageId, { force: form.data.force === "true" });
      return redirectWithToast(pathOnAgent("/images", form.data.agentId), { kind: "success", message: `Image removed (${deleted.length} ${deleted.length === 1 ? "entry" : "entries"} untagged or deleted).` });
    }
    const result = await pruneImages(actor, form.data.agentId, { all: form.data.all === "true" });
    const what = result.deleted.length === 0 ? "Nothing to remove" : `Removed ${result.deleted.length} image ${result.deleted.length === 1 ? "entry" : "entries"}`;
    return redirectWithToast(pathOnAgent("/images", form.data.agentId), { kind: "success", message: `${what}; reclaimed ${formatBytes(result.reclaimedBytes)}.` });
  } catch (error) {
    return formFailure(error);
  }
});

export default function ImagesPage() {
  const { agentId: chosenAgentId, dockerHost: engineAt, data, unreachable, offline, permissions, agent, picker } = useLoaderData<typeof loader>();
  const agentId = chosenAgentId ?? "";
  const dockerHost = engineAt ?? agent?.name ?? "this agent";
  const revalidator = useRevalidator();
  const [filter, setFilter] = useState("");
  const items = data?.items ?? [];
  const needle = filter.trim().toLowerCase();
  const shown = items.filter((i) => !needle || i.tags.some((t) => t.toLowerCase().includes(needle)) || i.shortId.includes(needle));
  const unused = items.filter((i) => i.containers.length === 0 && !i.protection);
  const dangling = items.filter((i) => i.dangling);
  return (
    <>
      <DockerSectionNav picker={picker} />
      <PageHeader title="Images" description={data ? `${items.length} images, ${formatBytes(data.totalBytes)} on ${dockerHost}` : `Docker at ${dockerHost}`}>
        {permissions.canDelete && data ? (
          <div className="flex flex-wrap gap-2">
            <ConfirmDialog trigger="Prune dangling" title="Remove dangling images?" confirm="Remove dangling" fields={{ intent: "prune", agentId, all: "false" }}>
              Removes the {dangling.length} untagged image{dangling.length === 1 ? "" : "s"} that no container uses. Tagged images stay.
            </ConfirmDialog>
            <ConfirmDialog trigger="Remove unused" title="Remove every unused image?" confirm="Remove unused" typeToConfirm="remove unused" fields={{ intent: "prune", agentId, all: "true" }}>
              Removes the {unused.length} image{unused.length === 1 ? "" : "s"} no container uses, tagged or not. They must be pulled again before use. Images InfraPilot's own deployment uses stay.
            </ConfirmDialog>
          </div>
        ) : null}
      </PageHeader>
      <AgentPicker picker={picker} />
      <ObjectsPageState picker={picker} agent={agent} offline={offline} unreachable={unreachable} lead="Images come from the Docker hosts of your organization." />
      {data ? (
        <>
          {permissions.canOperate ? <PullForm agentId={agentId} onPulled={() => revalidator.revalidate()} /> : null}
          {items.length === 0 ? (
            <EmptyState title="No images on this host">
              {permissions.canOperate ? "Pull one above by its name, e.g. nginx:1.27." : "Images appear here when someone pulls or builds one on this host."}
            </EmptyState>
          ) : (
            <>
              <div className="mb-3" role="search">
                <label className="sr-only" htmlFor="image-filter">Filter by tag or id</label>
                <input id="image-filter" type="search" placeholder="Filter by tag or id" value={filter} onChange={(e) => setFilter(e.target.value)} className={`${INPUT} w-full sm:w-72`} />
              </div>
              {shown.length === 0 ? (
                <EmptyState title="No image matches this filter" />
              ) : (
                <table className="block w-full text-sm md:table">
                  <TableHead stackOnPhone columns={["Image", "Size", "Created", "Used by", permissions.canDelete && "Actions"]} />
                  <tbody className="block divide-y divide-slate-200 md:table-row-group dark:divide-slate-800">
                    {shown.map((image) => (
                      <ImageRow key={image.id} image={image} agentId={agentId} canDelete={permissions.canDelete} />
                    ))}
                  </tbody>
                </table>
              )}
            </>
          )}
        </>
      ) : null}
    </>
  );
}

function ImageRow({ image, agentId, canDelete }: { image: ImageItem; agentId: string; canDelete: boolean }) {
  const name = image.tags[0] ?? image.shortId;
  const inUse = image.containers.length > 0;
  return (
    <tr data-testid="image-row" data-name={name} className="flex flex-col gap-1 py-3 md:table-row">
      <td className="min-w-0 md:py-2 md:pr-3 md:align-top">
        {image.tags.length ? (
          image.tags.map((t) => (
            <p key={t} className="break-all font-mono text-sm font-medium">
              {t}
            </p>
          ))
        ) : (
          <Badge tone="warn">dangling</Badge>
        )}
        <p className="font-mono text-xs text-slate-600 dark:text-slate-400" title={image.id}>
          {image.shortId}
        </p>
      </td>
      <SizeCreatedUsedCells agentId={agentId} sizeBytes={image.sizeBytes} createdAt={image.createdAt} users={image.containers} />
      {canDelete ? (
        <td className="md:py-2 md:align-top">
          {image.protection ? (
            <ProtectedNote reason={image.protection} />
          ) : (
            <ConfirmDialog
              trigger="Remove"
              triggerLabel={`Remove ${name}`}
              title={`Remove ${name}?`}
              confirm={inUse ? "Force remove" : "Remove"}
              typeToConfirm={inUse ? name : undefined}
              fields={{ intent: "remove", agentId, imageId: image.id, force: inUse ? "true" : "false" }}
            >
              {inUse ? (
                <>
                  Used by {image.containers.map((c) => c.name).join(", ")}. Forcing removes its tags; a running container keeps the image until it is removed.
                </>
              ) : (
                <>Removes the image{image.tags.length > 1 ? ` and its ${image.tags.length} tags` : ""}. It can be pulled again later.</>
              )}
            </ConfirmDialog>
          )}
        </td>
      ) : null}
    </tr>
  );
}

export const meta: MetaFunction = () => [{ title: "Images · InfraPilot" }];
export const ErrorBoundary = RouteErrorBoundary;
