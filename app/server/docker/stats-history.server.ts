// Recent CPU, memory and network history of a container or of an agent's host, for the charts.
// The agent keeps it (bounded, in memory, fed by its stats sampler; decision 105); here we only
// check who may see it and which container a reference names, like every container verb.
import type { StatsHistorySeries, StatsRange } from "#agent/stats-history";
import { agentFor } from "../agents/registry.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { checkContainerRef } from "./containers.server";

export type { StatsHistorySeries, StatsPoint, StatsRange } from "#agent/stats-history";

/** One container's history; 404 for an agent or a container the actor may not see. */
export async function containerStatsHistory(actor: Actor, input: { agentId: string; ref: string; range: StatsRange }): Promise<StatsHistorySeries & { containerId: string }> {
  assertPermission(actor, "read:container");
  const { agent } = await agentFor(actor, input.agentId);
  const detail = await agent.inspectContainer(checkContainerRef(input.ref));
  return { containerId: detail.id, ...(await agent.statsHistory({ containerId: detail.id, range: input.range })) };
}

/** The agent's host: CPU % of all its cores and memory in use against installed memory. */
export async function hostStatsHistory(actor: Actor, input: { agentId: string; range: StatsRange }): Promise<StatsHistorySeries> {
  assertPermission(actor, "read:container");
  const { agent } = await agentFor(actor, input.agentId);
  return agent.statsHistory({ containerId: null, range: input.range });
}
