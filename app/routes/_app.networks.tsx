import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { NetworkForm } from "~/components/docker-objects/network-form";
import { DockerSectionNav } from "~/components/docker-objects/section-nav";
import { ObjectsPageState, PhoneLabel, ProtectedNote, UsedBy } from "~/components/docker-objects/shared";
import { RouteErrorBoundary } from "~/components/route-error";
import { Badge } from "~/components/ui/badge";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { EmptyState, PageHeader } from "~/components/ui/page";
import { TableHead } from "~/components/ui/table-head";
import type { NetworkItem } from "~/docker-objects";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { createNetwork, listNetworks, removeNetwork } from "~/server/docker/networks.server";
import { objectsPage } from "~/server/docker/objects-page.server";
import { formFailure } from "~/server/http/form-failure.server";
import { pageAgent, pathOnAgent } from "~/server/http/agent-choice.server";
import { AgentPicker } from "~/components/agents/agent-picker";
import { page, readForm, redirectWithToast, requirePageFeature } from "~/server/http/page.server";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("containers");
  const actor = await requireUserWithPermission(request, context, "read:docker-object");
  const { agentId, agent, picker } = await pageAgent(actor, request, context);
  return { ...(await objectsPage(actor, agentId, (id) => listNetworks(actor, id))), agent, picker };
});

const TargetSchema = z.object({ agentId: z.string().min(1).max(100), networkId: z.string().min(1).max(200) });

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("containers");
  const actor = await requireUserWithPermission(request, context, "read:docker-object");
  const form = await readForm(request);
  const fields = Object.fromEntries([...form].map(([k, v]) => [k, String(v)]));
  try {
    if (fields.intent === "create") {
      // The domain verb parses with CreateNetworkSchema: the API's field errors, here beside the fields.
      const network = await createNetwork(actor, fields.agentId ?? "", fields);
      return redirectWithToast(pathOnAgent("/networks", fields.agentId ?? ""), { kind: "success", message: `Network ${network.name} was created.` });
    }
    const target = TargetSchema.safeParse(fields);
    if (fields.intent !== "remove" || !target.success) return { ok: false as const, message: "That request was not valid. Reload the page and try again." };
    await removeNetwork(actor, target.data.agentId, target.data.networkId);
    return redirectWithToast(pathOnAgent("/networks", target.data.agentId), { kind: "success", message: "The network was removed." });
  } catch (error) {
    return formFailure(error);
  }
});

export default function NetworksPage() {
  const { agentId: chosenAgentId, dockerHost: engineAt, data, unreachable, offline, permissions, agent, picker } = useLoaderData<typeof loader>();
  const agentId = chosenAgentId ?? "";
  const dockerHost = engineAt ?? agent?.name ?? "this agent";
  const items = data?.items ?? [];
  const userNetworks = items.filter((n) => !n.builtIn).length;
  return (
    <>
      <DockerSectionNav picker={picker} />
      <PageHeader title="Networks" description={data ? `${items.length} networks (${userNetworks} user-defined) on ${dockerHost}` : `Docker at ${dockerHost}`} />
      <AgentPicker picker={picker} />
      <ObjectsPageState picker={picker} agent={agent} offline={offline} unreachable={unreachable} lead="Networks come from the Docker hosts of your organization." />
      {data ? (
        <>
          {permissions.canOperate ? <NetworkForm agentId={agentId} /> : null}
          {items.length === 0 ? (
            <EmptyState title="No networks on this host">{permissions.canOperate ? "Create one above; containers join it with --network." : "Networks appear here as they are created."}</EmptyState>
          ) : (
            <table className="block w-full text-sm md:table">
              <TableHead stackOnPhone columns={["Network", "Subnet", "Containers attached", permissions.canDelete && "Actions"]} />
              <tbody className="block divide-y divide-slate-200 md:table-row-group dark:divide-slate-800">
                {items.map((network) => (
                  <NetworkRow key={network.id} network={network} agentId={agentId} canDelete={permissions.canDelete} />
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : null}
    </>
  );
}

function NetworkRow({ network, agentId, canDelete }: { network: NetworkItem; agentId: string; canDelete: boolean }) {
  return (
    <tr data-testid="network-row" data-name={network.name} className="flex flex-col gap-1 py-3 md:table-row">
      <td className="min-w-0 md:py-2 md:pr-3 md:align-top">
        <p className="break-all font-mono text-sm font-medium">{network.name}</p>
        <div className="mt-0.5 flex flex-wrap items-center gap-1">
          <span className="font-mono text-xs text-slate-600 dark:text-slate-400" title={network.id}>{network.shortId}</span>
          <Badge tone="muted">{network.driver || "no driver"}</Badge>
          {network.builtIn ? <Badge tone="muted">built-in</Badge> : null}
          {network.internal ? <Badge tone="warn">internal</Badge> : null}
          {network.stack ? <Badge tone="muted">stack {network.stack}</Badge> : null}
        </div>
      </td>
      <td className="font-mono text-xs md:py-2 md:pr-3 md:align-top">
        <PhoneLabel>Subnet</PhoneLabel>
        {network.subnets.length
          ? network.subnets.map((s) => (
              <p key={s.subnet}>
                {s.subnet}
                {s.gateway ? <span className="text-slate-600 dark:text-slate-400"> via {s.gateway}</span> : null}
              </p>
            ))
          : "—"}
      </td>
      <td className="md:py-2 md:pr-3 md:align-top">
        <PhoneLabel>Containers</PhoneLabel>
        {network.containers.length === 0 ? (
          <span className="text-xs text-slate-600 dark:text-slate-400">none</span>
        ) : (
          <UsedBy agentId={agentId} users={network.containers} extra={(u) => {
            const ip = network.containers.find((c) => c.id === u.id)?.ipv4Address;
            return ip ? <span className="font-mono text-xs text-slate-600 dark:text-slate-400"> {ip.replace(/\/\d+$/, "")}</span> : null;
          }} />
        )}
      </td>
      {canDelete ? (
        <td className="md:py-2 md:align-top">
          {network.builtIn ? (
            <span className="text-xs text-slate-600 dark:text-slate-400">Engine's own</span>
          ) : network.protection ? (
            <ProtectedNote reason={network.protection} />
          ) : network.containers.length > 0 ? (
            <span className="text-xs text-slate-600 dark:text-slate-400">In use</span>
          ) : (
            <ConfirmDialog trigger="Remove" triggerLabel={`Remove ${network.name}`} title={`Remove ${network.name}?`} confirm="Remove" fields={{ intent: "remove", agentId, networkId: network.id }}>
              No container is attached. Compose projects that declare it create it again on their next start.
            </ConfirmDialog>
          )}
        </td>
      ) : null}
    </tr>
  );
}

export const meta: MetaFunction = () => [{ title: "Networks · InfraPilot" }];
export const ErrorBoundary = RouteErrorBoundary;
