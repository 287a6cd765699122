// The facts about what runs (containers, proxy hosts and their upstreams, firing alerts, uptime
// monitors) that both the health score and the dashboard count, gathered once per request so the
// two screens cannot disagree. Host-side facts come only through the agent resolver.
import type { Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import type { ContainerListItem } from "../docker/containers.server";
import { listContainersWithStats } from "../docker/containers.server";
import { listProxyHosts } from "../proxy/hosts.server";
import { upstreamReachability } from "../proxy/reachability.server";
import { agentFor } from "../agents/registry.server";
import { logger } from "../logger.server";
import type { FiringAlertFacts, MonitorHealthFacts, ProxyHealthFacts } from "./score";

export interface ProxyFacts extends ProxyHealthFacts {
  id: string;
}

export interface FiringAlert extends FiringAlertFacts {
  id: string;
}

export interface MonitorFacts extends MonitorHealthFacts {
  id: string;
}

/** Every container of the agent with stats, or null when the engine cannot list them. */
export async function containerFacts(actor: Actor, agentId: string): Promise<ContainerListItem[] | null> {
  try {
    const { agent } = await agentFor(actor, agentId);
    return await listContainersWithStats(agent, { all: true });
  } catch (error) {
    logger.warn("listing containers for health failed", { error: error instanceof Error ? error.message : String(error) });
    return null;
  }
}

/** Proxy hosts with their last apply and whether the agent reaches each upstream right now. */
export async function proxyFacts(actor: Actor, agentId: string): Promise<ProxyFacts[]> {
  const [{ items }, reach] = await Promise.all([
    listProxyHosts(actor, agentId),
    upstreamReachability(actor, agentId).catch((error: unknown) => {
      logger.warn("upstream reachability for health failed", { error: error instanceof Error ? error.message : String(error) });
      return { items: [] };
    }),
  ]);
  const byId = new Map(reach.items.map((r) => [r.id, r]));
  return items.map((h) => {
    const r = byId.get(h.id);
    const upstream = h.upstream && "host" in h.upstream ? `${h.upstream.host}:${h.upstream.port}` : null;
    return {
      id: h.id,
      name: h.domains[0] ?? h.id,
      enabled: h.enabled,
      state: h.status.state,
      message: h.status.message,
      upstreamReachable: r?.reachable ?? null,
      upstream,
      upstreamMessage: r?.message ?? null,
    };
  });
}

export async function firingAlerts(actor: Actor): Promise<FiringAlert[]> {
  const rows = await withOrg(actor.orgId, (tx) =>
    tx.alertEvent.findMany({
      where: { state: "firing", resolvedAt: null },
      select: { id: true, ruleName: true, targetName: true, message: true, firedAt: true },
      orderBy: { firedAt: "desc" },
      take: 50,
    }),
  );
  return rows.map((r) => ({ ...r, firedAt: r.firedAt.toISOString() }));
}

export async function monitorFacts(actor: Actor): Promise<MonitorFacts[]> {
  const rows = await withOrg(actor.orgId, (tx) =>
    tx.monitor.findMany({ select: { id: true, name: true, status: true, enabled: true, lastMessage: true }, orderBy: { name: "asc" } }),
  );
  return rows.map((m) => ({ id: m.id, name: m.name, status: m.enabled ? m.status : "paused", message: m.lastMessage }));
}
