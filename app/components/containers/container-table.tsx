// The containers of one agent as one aligned table (Portainer's list): a group row per compose
// stack (collapsible, with the stack's start/stop/restart), sortable columns, a tick box per row
// for bulk start/stop/restart, uptimes that keep ticking. On a phone each row is a card.
import { Link, useRevalidator } from "@remix-run/react";
import { useState } from "react";
import { Badge } from "~/components/ui/badge";
import { BUTTON } from "~/components/ui/button-classes";
import { useNow } from "~/components/ui/use-now";
import type { ContainerListItem } from "~/server/docker/containers.server";
import { ContainerActions, OperationDialog, type ActionPermissions } from "./container-actions";
import { formatBytes, formatPercent, formatPorts, HEALTH_TONE, STATE_ORDER, STATE_TONE, tickStatus } from "./format";
import { PROGRESS, runContainerOperation, usePendingOperations, type ContainerOperation } from "./operations";

export function groupByStack(items: ContainerListItem[]): [string | null, ContainerListItem[]][] {
  const groups = new Map<string | null, ContainerListItem[]>();
  for (const item of items) {
    const list = groups.get(item.stack) ?? [];
    list.push(item);
    groups.set(item.stack, list);
  }
  return [...groups].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)));
}

export type SortKey = "name" | "state" | "image" | "cpu" | "memory";
const SORT_LABEL: Record<SortKey, string> = { name: "Name", state: "State", image: "Image", cpu: "CPU", memory: "Memory" };

export function sortContainers(items: ContainerListItem[], key: SortKey, descending: boolean): ContainerListItem[] {
  const value = (c: ContainerListItem): string | number =>
    key === "name" ? c.name : key === "image" ? c.image : key === "state" ? (STATE_ORDER[c.state] ?? 9) : key === "cpu" ? (c.cpuPercent ?? -1) : (c.memoryBytes ?? -1);
  const sorted = [...items].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return order || a.name.localeCompare(b.name);
  });
  return descending ? sorted.reverse() : sorted;
}

const isRunning = (c: { state: string }) => c.state === "running" || c.state === "restarting" || c.state === "paused";
const CELL = "md:py-2 md:pr-3 md:align-middle";
const MUTED = "text-slate-600 dark:text-slate-400";

export function ContainerTable({ agentId, items, permissions }: { agentId: string; items: ContainerListItem[]; permissions: ActionPermissions }) {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: "name", descending: false });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const pendingOf = usePendingOperations(agentId);
  const revalidator = useRevalidator();
  const selectable = (c: ContainerListItem) => permissions.canOperate && !c.protection;
  // Only what is on screen stays selected (a filter or a removed container drops it).
  const chosen = items.filter((c) => selected.has(c.id) && selectable(c));
  const toggle = (ids: string[], on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      for (const id of ids) if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const run = (targets: ContainerListItem[], op: ContainerOperation) => {
    const eligible = targets.filter((c) => selectable(c) && (op === "start" ? !isRunning(c) : op === "stop" ? isRunning(c) : true));
    if (eligible.length === 0) return;
    void runContainerOperation(agentId, eligible.map((c) => ({ id: c.id, name: c.name })), op).then(() => revalidator.revalidate());
  };
  const setSortKey = (key: SortKey) => setSort((s) => ({ key, descending: s.key === key ? !s.descending : key === "cpu" || key === "memory" }));
  const columns = permissions.canOperate ? 8 : 7;
  const allSelectable = items.filter(selectable);

  return (
    <div className="flex flex-col gap-3">
      {permissions.canOperate ? (
        <BulkBar
          count={chosen.length}
          canStart={chosen.some((c) => !isRunning(c))}
          canStop={chosen.some(isRunning)}
          onRun={(op) => run(chosen, op)}
          onClear={() => setSelected(new Set())}
        />
      ) : null}
      <table className="block w-full text-sm md:table" data-testid="container-table">
        <thead className="hidden border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500 md:table-header-group dark:border-slate-800 dark:text-slate-400">
          <tr>
            {permissions.canOperate ? (
              <th scope="col" className="w-8 py-2 pr-2">
                <input
                  type="checkbox"
                  aria-label="Select every container shown"
                  checked={allSelectable.length > 0 && chosen.length === allSelectable.length}
                  disabled={allSelectable.length === 0}
                  onChange={(e) => toggle(allSelectable.map((c) => c.id), e.target.checked)}
                />
              </th>
            ) : null}
            {(["name", "state", "image"] as const).map((key) => (
              <SortHeader key={key} column={key} sort={sort} onSort={setSortKey} />
            ))}
            <th scope="col" className="py-2 pr-3 font-medium">Ports</th>
            {(["cpu", "memory"] as const).map((key) => (
              <SortHeader key={key} column={key} sort={sort} onSort={setSortKey} alignRight />
            ))}
            <th scope="col" className="py-2 font-medium"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        {groupByStack(items).map(([stack, group]) => {
          const name = stack ?? "";
          const open = !collapsed.has(name);
          const rows = sortContainers(group, sort.key, sort.descending);
          const running = group.filter((c) => c.state === "running").length;
          const groupSelectable = group.filter(selectable);
          return (
            <tbody key={name || "-"} className="block divide-y divide-slate-200 border-b border-slate-200 md:table-row-group dark:divide-slate-800 dark:border-slate-800" aria-label={stack ? `Stack ${stack}` : "Containers without a stack"}>
              <tr data-testid="stack-group" data-stack={name} className="flex flex-wrap items-center gap-2 bg-slate-100 px-2 py-2 md:table-row dark:bg-slate-900">
                {permissions.canOperate ? (
                  <td className="md:w-8 md:py-2 md:pr-2 md:pl-2">
                    <input
                      type="checkbox"
                      aria-label={stack ? `Select every container of stack ${stack}` : "Select every container without a stack"}
                      checked={groupSelectable.length > 0 && groupSelectable.every((c) => selected.has(c.id))}
                      disabled={groupSelectable.length === 0}
                      onChange={(e) => toggle(groupSelectable.map((c) => c.id), e.target.checked)}
                    />
                  </td>
                ) : null}
                <th scope="rowgroup" colSpan={columns - (permissions.canOperate ? 2 : 1)} className="flex-1 text-left font-semibold md:py-2 md:pr-3">
                  <button
                    type="button"
                    aria-expanded={open}
                    onClick={() => setCollapsed((c) => { const next = new Set(c); if (open) next.add(name); else next.delete(name); return next; })}
                    className="inline-flex items-center gap-2 rounded hover:underline"
                  >
                    <span aria-hidden className={`inline-block transition-transform ${open ? "rotate-90" : ""}`}>▸</span>
                    {stack ?? "No stack"}
                    <span className={`font-normal ${MUTED}`}>
                      {running} of {group.length} running
                    </span>
                  </button>
                </th>
                <td className="md:py-2 md:pr-2">
                  {stack && permissions.canOperate && groupSelectable.length > 0 ? (
                    <div className="flex flex-wrap gap-2 md:flex-nowrap" data-testid="stack-actions">
                      <button type="button" className={BUTTON.secondary} aria-label={`Start stack ${stack}`} disabled={!groupSelectable.some((c) => !isRunning(c))} onClick={() => run(groupSelectable, "start")}>
                        Start
                      </button>
                      <OperationDialog target={{ name: `stack ${stack}` }} op="stop" label={`Stop stack ${stack}`} onConfirm={(op) => run(groupSelectable, op)}>
                        Every running container of {stack} ({groupSelectable.filter(isRunning).length}) is stopped. It runs in the background; a message says when it is done.
                      </OperationDialog>
                      <OperationDialog target={{ name: `stack ${stack}` }} op="restart" label={`Restart stack ${stack}`} onConfirm={(op) => run(groupSelectable, op)}>
                        Every container of {stack} ({groupSelectable.length}) stops and starts again.
                      </OperationDialog>
                    </div>
                  ) : null}
                </td>
              </tr>
              {open
                ? rows.map((c) => (
                    <ContainerRow
                      key={c.id}
                      agentId={agentId}
                      container={c}
                      permissions={permissions}
                      pending={pendingOf(c.id)}
                      selectable={selectable(c)}
                      selected={selected.has(c.id)}
                      onSelect={(on) => toggle([c.id], on)}
                    />
                  ))
                : null}
            </tbody>
          );
        })}
      </table>
    </div>
  );
}

function SortHeader({ column, sort, onSort, alignRight = false }: { column: SortKey; sort: { key: SortKey; descending: boolean }; onSort: (key: SortKey) => void; alignRight?: boolean }) {
  const active = sort.key === column;
  return (
    <th scope="col" className={`py-2 pr-3 font-medium ${alignRight ? "text-right" : ""}`} aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}>
      <button type="button" onClick={() => onSort(column)} className="inline-flex items-center gap-1 uppercase hover:underline">
        {SORT_LABEL[column]}
        <span aria-hidden>{active ? (sort.descending ? "↓" : "↑") : ""}</span>
      </button>
    </th>
  );
}

function BulkBar({ count, canStart, canStop, onRun, onClear }: { count: number; canStart: boolean; canStop: boolean; onRun: (op: ContainerOperation) => void; onClear: () => void }) {
  if (count === 0) return null;
  const what = `${count} selected container${count === 1 ? "" : "s"}`;
  return (
    <div role="toolbar" aria-label="Selected containers" data-testid="bulk-actions" className="flex flex-wrap items-center gap-2 rounded-lg border border-brand-300 bg-brand-50 px-3 py-2 text-sm dark:border-brand-800 dark:bg-slate-900">
      <span className="font-medium">{count} selected</span>
      <button type="button" className={BUTTON.secondary} disabled={!canStart} aria-label={`Start ${what}`} onClick={() => onRun("start")}>
        Start
      </button>
      {canStop ? (
        <OperationDialog target={{ name: what }} op="stop" label={`Stop ${what}`} onConfirm={onRun}>
          The running ones are stopped. It runs in the background; a message says when it is done.
        </OperationDialog>
      ) : null}
      <OperationDialog target={{ name: what }} op="restart" label={`Restart ${what}`} onConfirm={onRun}>
        Each stops and starts again; each is briefly unavailable.
      </OperationDialog>
      <button type="button" className="ml-auto text-brand-700 hover:underline dark:text-brand-300" onClick={onClear}>
        Clear selection
      </button>
    </div>
  );
}

function ContainerRow({
  agentId,
  container: c,
  permissions,
  pending,
  selectable,
  selected,
  onSelect,
}: {
  agentId: string;
  container: ContainerListItem;
  permissions: ActionPermissions;
  pending: ContainerOperation | undefined;
  selectable: boolean;
  selected: boolean;
  onSelect: (on: boolean) => void;
}) {
  const running = c.state === "running";
  return (
    <tr
      data-testid="container-row"
      data-name={c.name}
      data-state={c.state}
      data-pending={pending ?? ""}
      className={`grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 px-2 py-3 md:table-row ${selected ? "bg-brand-50 dark:bg-slate-800/60" : ""}`}
    >
      {permissions.canOperate ? (
        <td className="row-span-2 pt-0.5 md:w-8 md:py-2 md:pr-2 md:pl-2">
          {selectable ? <input type="checkbox" aria-label={`Select ${c.name}`} checked={selected} onChange={(e) => onSelect(e.target.checked)} /> : null}
        </td>
      ) : null}
      <td className={`min-w-0 ${CELL} ${permissions.canOperate ? "" : "col-span-2"}`}>
        <Link to={`/containers/${agentId}/${c.id}`} className="wrap-anywhere font-medium text-brand-700 hover:underline dark:text-brand-300">
          {c.name}
        </Link>
      </td>
      <td className={`col-start-2 ${CELL}`}>
        <div className="flex flex-wrap items-center gap-1">
          <Badge tone={STATE_TONE[c.state] ?? "muted"}>
            <span data-testid="container-state">{c.state}</span>
          </Badge>
          {c.health !== "none" ? <Badge tone={HEALTH_TONE[c.health]}>{c.health}</Badge> : null}
          {pending ? (
            <span className="inline-flex items-center gap-1 text-xs text-slate-700 dark:text-slate-300">
              <span aria-hidden className="size-2.5 animate-spin rounded-full border-2 border-slate-400 border-t-transparent" />
              {PROGRESS[pending]}
            </span>
          ) : null}
        </div>
        <p className={`text-xs ${MUTED}`} data-testid="container-status">
          <TickingStatus status={c.status} />
        </p>
      </td>
      <td className={`col-start-2 wrap-anywhere text-xs ${MUTED} ${CELL} md:max-w-56`}>
        <span className="md:hidden">Image </span>
        {c.image}
      </td>
      <td className={`col-start-2 font-mono text-xs ${CELL}`}>{formatPorts(c.ports) || <span className={`hidden md:inline ${MUTED}`}>—</span>}</td>
      <td className={`col-start-2 ${CELL} md:text-right`}>
        <span className={`text-xs md:hidden ${MUTED}`}>CPU </span>
        <span className="font-mono">{running ? formatPercent(c.cpuPercent) : "—"}</span>
      </td>
      <td className={`col-start-2 ${CELL} md:text-right`}>
        <span className={`text-xs md:hidden ${MUTED}`}>Memory </span>
        <span className="font-mono whitespace-nowrap">{running && c.memoryBytes !== null ? `${formatBytes(c.memoryBytes)} / ${formatBytes(c.memoryLimitBytes)}` : "—"}</span>
      </td>
      <td className="col-start-2 pt-1 md:py-2 md:align-middle">
        <ContainerActions agentId={agentId} container={c} permissions={permissions} compact />
      </td>
    </tr>
  );
}

/** Docker's status sentence, kept ticking from when it arrived ("Up 12 s", "Exited (0) 3 min ago"). */
function TickingStatus({ status }: { status: string }) {
  const now = useNow();
  const [anchor, setAnchor] = useState<{ status: string; at: number | null }>({ status, at: null });
  if (anchor.status !== status || (anchor.at === null && now !== null)) setAnchor({ status, at: now });
  if (now === null || anchor.at === null || anchor.status !== status) return <>{status}</>;
  return <>{tickStatus(status, now - anchor.at)}</>;
}
