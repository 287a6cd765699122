import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useRevalidator, useSearchParams, type ShouldRevalidateFunction } from "@remix-run/react";
import { useCallback, useMemo, useState } from "react";
import { z } from "zod";
import { ContainerTable } from "~/components/containers/container-table";
import { DockerSectionNav } from "~/components/docker-objects/section-nav";
import { useOnConnect, useUiSocket, type UiSocket } from "~/components/containers/use-ui-socket";
import { RouteErrorBoundary } from "~/components/route-error";
import { BUTTON, INPUT } from "~/components/ui/button-classes";
import { EmptyState, PageHeader } from "~/components/ui/page";
import { can } from "~/permissions";
import { requireUserWithPermission } from "~/server/auth/require.server";
import { containersOverview, getContainer, operateContainer, removeContainer, type ContainerListItem } from "~/server/docker/containers.server";
import { ValidationError } from "~/server/errors.server";
import { formFailure } from "~/server/http/form-failure.server";
import { page, parseForm, readForm, redirectWithToast, requirePageFeature, safeRedirectPath } from "~/server/http/page.server";
import { pageAgent } from "~/server/http/agent-choice.server";
import { AgentOffline, AgentPicker, NoAgents } from "~/components/agents/agent-picker";

export const loader = page(async ({ request, context }: LoaderFunctionArgs) => {
  requirePageFeature("containers");
  const actor = await requireUserWithPermission(request, context, "read:container");
  const { agentId, agent, picker } = await pageAgent(actor, request, context);
  const overview = agentId ? await containersOverview(actor, agentId) : { agentId: "", dockerHost: null, items: [], unreachable: null, offline: false };
  return {
    ...overview,
    agent,
    picker,
    permissions: { canOperate: can(actor.role, "operate:container"), canDelete: can(actor.role, "delete:container") },
  };
});

const ActionSchema = z.object({
  intent: z.enum(["start", "stop", "restart", "delete"]),
  agentId: z.string().min(1).max(100),
  containerId: z.string().min(1).max(255),
  confirmation: z.string().trim().max(255).optional(),
  redirectTo: z.string().max(200).optional(),
});

export const action = page(async ({ request, context }: ActionFunctionArgs) => {
  requirePageFeature("containers");
  const actor = await requireUserWithPermission(request, context, "read:container");
  const form = await parseForm(await readForm(request), ActionSchema);
  if (!form.ok) return { ok: false as const, message: "That request was not valid. Reload the page and try again." };
  const { intent, agentId, containerId } = form.data;
  try {
    if (intent === "delete") {
      const { name } = await getContainer(actor, agentId, containerId);
      // The typed name is checked here too, not only by the disabled button.
      if (form.data.confirmation?.toLowerCase() !== name.toLowerCase()) throw new ValidationError(`Type ${name} to confirm.`, { confirmation: "Does not match." });
      await removeContainer(actor, agentId, containerId, { force: true });
      if (form.data.redirectTo) return redirectWithToast(safeRedirectPath(form.data.redirectTo, "/containers"), { kind: "success", message: `${name} was deleted.` });
      return { ok: true as const, message: `${name} was deleted.` };
    }
    const container = await operateContainer(actor, agentId, containerId, intent);
    return { ok: true as const, message: `${container.name} is ${container.state.status}.` };
  } catch (error) {
    return formFailure(error);
  }
});

/** The loader's list, then whatever the live feed pushes (list changes and stats batches). */
function useLiveContainers(agentId: string, initial: ContainerListItem[], initialUnreachable: string | null) {
  const [items, setItems] = useState(initial);
  const [unreachable, setUnreachable] = useState(initialUnreachable);
  // A revalidated loader (after an action, or "Check now") replaces what the feed pushed.
  const [source, setSource] = useState(initial);
  if (source !== initial) {
    setSource(initial);
    setItems(initial);
    setUnreachable(initialUnreachable);
  }
  const socket = useUiSocket();
  const subscribe = useCallback(
    (s: UiSocket) => {
      if (!agentId) return () => {};
      const onList = (p: { agentId: string; items: ContainerListItem[] }) => {
        if (p.agentId !== agentId) return;
        setItems(p.items);
        setUnreachable(null);
      };
      const onStats = (p: { agentId: string; items: { id: string; cpuPercent: number | null; memoryBytes: number; memoryLimitBytes: number }[] }) => {
        if (p.agentId !== agentId) return;
        const byId = new Map(p.items.map((x) => [x.id, x]));
        setItems((current) => current.map((c) => (byId.has(c.id) ? { ...c, ...pickStats(byId.get(c.id)!) } : c)));
      };
      const onUnreachable = (p: { agentId: string; message: string }) => p.agentId === agentId && setUnreachable(p.message);
      s.on("containers:list", onList);
      s.on("containers:stats", onStats);
      s.on("containers:unreachable", onUnreachable);
      s.emit("containers:subscribe", { agentId });
      return () => {
        s.emit("containers:unsubscribe", { agentId });
        s.off("containers:list", onList);
        s.off("containers:stats", onStats);
        s.off("containers:unreachable", onUnreachable);
      };
    },
    [agentId],
  );
  useOnConnect(socket, subscribe);
  return { items, unreachable };
}

function pickStats(s: { cpuPercent: number | null; memoryBytes: number; memoryLimitBytes: number }) {
  return { cpuPercent: s.cpuPercent, memoryBytes: s.memoryBytes, memoryLimitBytes: s.memoryLimitBytes };
}

export default function ContainersPage() {
  const data = useLoaderData<typeof loader>();
  const { items, unreachable } = useLiveContainers(data.agentId, data.items, data.unreachable);
  const revalidator = useRevalidator();
  const [params, setParams] = useSearchParams();
  const showAll = params.get("all") !== "false";
  const text = params.get("q") ?? "";
  const stack = params.get("stack") ?? "";
  const setParam = (key: string, value: string) =>
    setParams(
      (p) => {
        if (value) p.set(key, value);
        else p.delete(key);
        return p;
      },
      { replace: true, preventScrollReset: true },
    );
  const stacks = useMemo(() => [...new Set(items.map((c) => c.stack).filter((s): s is string => Boolean(s)))].sort(), [items]);
  const needle = text.trim().toLowerCase();
  const shown = items.filter(
    (c) => (showAll || c.state === "running") && (!stack || c.stack === stack) && (!needle || c.name.toLowerCase().includes(needle) || c.image.toLowerCase().includes(needle)),
  );
  const running = items.filter((c) => c.state === "running").length;

  if (!data.picker.agentId) {
    return (
      <>
        <DockerSectionNav picker={data.picker} />
        <PageHeader title="Containers" />
        <NoAgents picker={data.picker} lead="Containers come from the Docker hosts of your organization." />
      </>
    );
  }
  const where = data.dockerHost ?? data.agent?.name ?? "this agent";
  return (
    <>
      <DockerSectionNav picker={data.picker} />
      <PageHeader title="Containers" description={unreachable ? `Docker at ${where}` : `${running} running of ${items.length} on ${where}`} />
      <AgentPicker picker={data.picker} />
      {unreachable && data.offline ? (
        <AgentOffline agent={data.agent} message={unreachable} />
      ) : unreachable ? (
        <div role="alert" data-testid="docker-unreachable" className="mb-6 rounded-xl border border-amber-300 bg-amber-50 p-5 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          <p className="font-medium">{unreachable}</p>
          <p className="mt-1">The rest of InfraPilot keeps working. This page reconnects on its own when the engine is back.</p>
          <button type="button" className={`${BUTTON.secondary} mt-3`} onClick={() => revalidator.revalidate()} disabled={revalidator.state !== "idle"}>
            {revalidator.state !== "idle" ? "Checking…" : "Check now"}
          </button>
        </div>
      ) : null}
      {!unreachable || items.length > 0 ? (
        <>
          <div className="mb-4 flex flex-col gap-2 sm:flex-row sm:items-center" role="search">
            <label className="sr-only" htmlFor="container-filter">Filter by name or image</label>
            <input id="container-filter" type="search" placeholder="Filter by name or image" value={text} onChange={(e) => setParam("q", e.target.value)} className={`${INPUT} sm:w-72`} />
            <label className="sr-only" htmlFor="container-stack">Stack</label>
            <select id="container-stack" value={stack} onChange={(e) => setParam("stack", e.target.value)} className={INPUT}>
              <option value="">All stacks</option>
              {stacks.map((s) => (
                <option key={s} value={s}>{s}</option>
              ))}
            </select>
            <fieldset className="flex gap-1 text-sm">
              <legend className="sr-only">Show</legend>
              {[
                ["false", "Running"],
                ["", "All"],
              ].map(([value, label]) => (
                <label key={label} className="flex items-center gap-1 rounded-md border border-slate-300 px-3 py-1.5 has-[:checked]:bg-slate-100 dark:border-slate-700 dark:has-[:checked]:bg-slate-800">
                  <input type="radio" name="show" className="sr-only" checked={(value === "false") === !showAll} onChange={() => setParam("all", value)} />
                  {label}
                </label>
              ))}
            </fieldset>
          </div>
          {items.length === 0 ? (
            <EmptyState title="No containers on this host">Containers you start with `docker run` or `docker compose up` show up here as they appear.</EmptyState>
          ) : shown.length === 0 ? (
            <EmptyState title="No container matches these filters" />
          ) : (
            <ContainerTable agentId={data.agentId} items={shown} permissions={data.permissions} />
          )}
        </>
      ) : null}
    </>
  );
}

/** Typing in the filters only changes the address: the list is filtered here, Docker is not asked again. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentUrl, nextUrl, formMethod, defaultShouldRevalidate }) => {
  if (formMethod || currentUrl.pathname !== nextUrl.pathname) return defaultShouldRevalidate;
  const rest = (url: URL) => {
    const params = new URLSearchParams(url.search);
    for (const key of ["q", "stack", "all"]) params.delete(key);
    params.sort();
    return params.toString();
  };
  return rest(currentUrl) === rest(nextUrl) ? false : defaultShouldRevalidate;
};

export const meta: MetaFunction = () => [{ title: "Containers · InfraPilot" }];
export const ErrorBoundary = RouteErrorBoundary;
