// The container list grouped by compose project; lone containers come last.
import { Link } from "@remix-run/react";
import { Badge } from "~/components/ui/badge";
import type { ContainerListItem } from "~/server/docker/containers.server";
import { ContainerActions, type ActionPermissions } from "./container-actions";
import { formatBytes, formatPercent, formatPorts, HEALTH_TONE, STATE_TONE } from "./format";

export function groupByStack(items: ContainerListItem[]): [string | null, ContainerListItem[]][] {
  const groups = new Map<string | null, ContainerListItem[]>();
  for (const item of items) {
    const list = groups.get(item.stack) ?? [];
    list.push(item);
    groups.set(item.stack, list);
  }
  return [...groups].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
}

export function ContainerTable({ agentId, items, permissions }: { agentId: string; items: ContainerListItem[]; permissions: ActionPermissions }) {
  return (
    <div className="flex flex-col gap-6">
      {groupByStack(items).map(([stack, group]) => (
        <section key={stack ?? "-"} aria-label={stack ? `Stack ${stack}` : "Containers without a stack"} data-testid="stack-group" data-stack={stack ?? ""}>
          <h2 className="mb-2 text-sm font-semibold">
            {stack ?? "No stack"} <span className="font-normal text-slate-500 dark:text-slate-400">({group.length})</span>
          </h2>
          <table className="block w-full text-sm md:table">
            <thead className="hidden border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500 md:table-header-group dark:border-slate-800 dark:text-slate-400">
              <tr>
                <th scope="col" className="py-2 pr-3 font-medium">Name</th>
                <th scope="col" className="py-2 pr-3 font-medium">State</th>
                <th scope="col" className="py-2 pr-3 font-medium">Ports</th>
                <th scope="col" className="py-2 pr-3 text-right font-medium">CPU</th>
                <th scope="col" className="py-2 pr-3 text-right font-medium">Memory</th>
                <th scope="col" className="py-2 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="block divide-y divide-slate-200 md:table-row-group dark:divide-slate-800">
              {group.map((c) => (
                <tr key={c.id} data-testid="container-row" data-name={c.name} data-state={c.state} className="flex flex-col gap-1 py-3 md:table-row">
                  <td className="md:py-2 md:pr-3 md:align-top">
                    <Link to={`/containers/${agentId}/${c.id}`} className="font-medium text-brand-700 hover:underline dark:text-brand-400">
                      {c.name}
                    </Link>
                    <p className="wrap-anywhere text-xs text-slate-500 dark:text-slate-400">{c.image}</p>
                  </td>
                  <td className="md:py-2 md:pr-3 md:align-top">
                    <div className="flex flex-wrap items-center gap-1">
                      <Badge tone={STATE_TONE[c.state] ?? "muted"}>
                        <span data-testid="container-state">{c.state}</span>
                      </Badge>
                      {c.health !== "none" ? <Badge tone={HEALTH_TONE[c.health]}>{c.health}</Badge> : null}
                    </div>
                    <p className="text-xs text-slate-500 dark:text-slate-400">{c.status}</p>
                  </td>
                  <td className="font-mono text-xs md:py-2 md:pr-3 md:align-top">{formatPorts(c.ports) || <span className="text-slate-500 dark:text-slate-400">—</span>}</td>
                  <td className="md:py-2 md:pr-3 md:text-right md:align-top">
                    <span className="text-xs text-slate-500 md:hidden dark:text-slate-400">CPU </span>
                    <span className="font-mono">{c.state === "running" ? formatPercent(c.cpuPercent) : "—"}</span>
                  </td>
                  <td className="md:py-2 md:pr-3 md:text-right md:align-top">
                    <span className="text-xs text-slate-500 md:hidden dark:text-slate-400">Memory </span>
                    <span className="font-mono">
                      {c.state === "running" && c.memoryBytes !== null ? `${formatBytes(c.memoryBytes)} / ${formatBytes(c.memoryLimitBytes)}` : "—"}
                    </span>
                  </td>
                  <td className="pt-1 md:py-2 md:align-top">
                    <ContainerActions agentId={agentId} container={c} permissions={permissions} compact />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}
