// What the dashboard shows: real counts from this organization, nothing invented. Each section is
// there only for a role that may read it, and is counted from the same facts the health score uses
// (workload-facts.server.ts), so the dashboard and the Health page cannot disagree.
import type { Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import { can } from "~/permissions";
import { agentFor, agentOfflineMessage, organizationAgents, refreshAgent } from "../agents/registry.server";
import { logger } from "../logger.server";
import { withAuditNames } from "../audit/audit-names.server";
import { containerFacts, firingAlerts, monitorFacts, proxyFacts, type FiringAlert } from "../health/workload-facts.server";
import { exitCodeOf } from "../health/score";
import { countContainers, countProxies, type ContainerCounts, type ProxyCounts } from "./counts";

export interface DashboardSummary {
  members: number;
  agents: { id: string; name: string; kind: string; status: string; lastSeenAt: string | null }[];
  /** The chosen agent's engine as of now (null when the viewer may not see containers, or there is no agent). */
  docker: { agentId: string; reachable: boolean; error: string | null; dockerHost: string; version: string | null; running: number; total: number } | null;
  containers: ContainerCounts | null;
  proxies: ProxyCounts | null;
  certificates: { total: number; issued: number; expiringSoon: { id: string; name: string; notAfter: string }[]; failed: { id: string; name: string; error: string | null }[] } | null;
  alerts: { firing: FiringAlert[] } | null;
  monitors: { total: number; up: number; down: number; pending: number; paused: number; downNames: string[] } | null;
  recentActivity: ActivityRow[];
}

/** One audit entry as the dashboard shows it: people and objects by name, times as ISO strings. */
export interface ActivityRow {
  id: string;
  time: string;
  action: string;
  actorId: string | null;
  actorEmail: string | null;
  actorName: string | null;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  outcome: string;
}

/** A certificate that runs out within this many days counts as expiring soon (as the health score's warning band). */
export const EXPIRING_SOON_DAYS = 30;

/** `agentId`: the agent the page shows (the built-in one in Community), null when the organization has none. */
export async function dashboardSummary(actor: Actor, chosenAgentId: string | null): Promise<DashboardSummary> {
  const docker = can(actor.role, "read:container") && chosenAgentId ? await dockerStatus(actor, chosenAgentId) : null;
  const agentId = docker?.agentId ?? null;
  const [containers, proxies, alerts, monitors] = await Promise.all([
    docker?.reachable && agentId ? containerFacts(actor, agentId) : null,
    can(actor.role, "read:proxy") && agentId ? proxyFacts(actor, agentId).catch(failed("proxy hosts")) : null,
    can(actor.role, "read:alert") ? firingAlerts(actor).catch(failed("alerts")) : null,
    can(actor.role, "read:monitor") ? monitorFacts(actor).catch(failed("monitors")) : null,
  ]);
  const summary = await withOrg(actor.orgId, async (tx) => {
    // One transaction is one connection: queries run one after another.
    const members = await tx.membership.count();
    const certificates = can(actor.role, "read:certificate")
      ? await tx.certificate.findMany({ select: { id: true, domains: true, status: true, error: true, notAfter: true }, orderBy: { notAfter: "asc" } })
      : null;
    const recent = await tx.auditLog.findMany({
      select: { id: true, time: true, action: true, actorId: true, actorEmail: true, targetType: true, targetId: true, outcome: true, details: true },
      orderBy: { id: "desc" },
      take: 8,
    });
    const named = await withAuditNames(tx, recent);
    return {
      members,
      certificates,
      recentActivity: named.map(({ details: _details, ...r }) => ({ ...r, id: r.id.toString(), time: r.time.toISOString() })),
    };
  });
  // The organization's agents as the picker lists them (SaaS: remote ones, online while connected).
  const agents = (await organizationAgents(actor)).map(({ id, name, kind, status, lastSeenAt }) => ({ id, name, kind, status, lastSeenAt }));
  const soon = Date.now() + EXPIRING_SOON_DAYS * 86_400_000;
  return {
    members: summary.members,
    agents,
    docker,
    containers: containers ? countContainers(containers.map((c) => ({ ...c, exitCode: exitCodeOf(c.status) }))) : null,
    proxies: proxies ? countProxies(proxies) : null,
    certificates: summary.certificates && {
      total: summary.certificates.length,
      issued: summary.certificates.filter((c) => c.status === "issued").length,
      expiringSoon: summary.certificates
        .filter((c) => c.notAfter && c.notAfter.getTime() < soon)
        .map((c) => ({ id: c.id, name: c.domains[0] ?? c.id, notAfter: c.notAfter!.toISOString() })),
      failed: summary.certificates.filter((c) => c.status === "error").map((c) => ({ id: c.id, name: c.domains[0] ?? c.id, error: c.error })),
    },
    alerts: alerts && { firing: alerts },
    monitors: monitors && {
      total: monitors.length,
      up: monitors.filter((m) => m.status === "up").length,
      down: monitors.filter((m) => m.status === "down").length,
      pending: monitors.filter((m) => m.status === "pending").length,
      paused: monitors.filter((m) => m.status === "paused").length,
      downNames: monitors.filter((m) => m.status === "down").map((m) => m.name),
    },
    recentActivity: summary.recentActivity,
  };
}

function failed(what: string) {
  return (error: unknown) => {
    logger.warn(`dashboard: ${what} failed`, { error: error instanceof Error ? error.message : String(error) });
    return null;
  };
}

/** One `info` call: cheap (the engine keeps the counts), and it refreshes the agent row. */
async function dockerStatus(actor: Actor, agentId: string): Promise<DashboardSummary["docker"]> {
  try {
    const info = await refreshAgent(actor, agentId, await agentFor(actor, agentId));
    return {
      agentId,
      reachable: info.reachable,
      error: info.error,
      dockerHost: info.dockerHost,
      version: info.dockerVersion,
      running: info.containers?.running ?? 0,
      total: info.containers?.total ?? 0,
    };
  } catch (error) {
    // An offline agent is said at once, as the other pages do.
    const offline = agentOfflineMessage(error);
    if (offline) return { agentId, reachable: false, error: offline, dockerHost: "", version: null, running: 0, total: 0 };
    logger.warn("docker status for the dashboard failed", { error });
    return null;
  }
}
