// What the Logs page offers to choose from (containers of the chosen agent, their compose
// stacks, proxy hosts) and the row count an export is about to stream (for its progress bar).
import { assertPermission, type Actor } from "../auth/require.server";
import { agentFor, agentOfflineMessage } from "../agents/registry.server";
import { withOrgClient } from "../db/pg-pool.server";
import { toAppError } from "../errors.server";
import { logger } from "../logger.server";
import { COUNT_SQL, searchArgs, type LogFilters } from "./log-query.server";

export interface LogContainerChoice {
  id: string;
  name: string;
  stack: string | null;
  running: boolean;
}

export interface LogSourceChoices {
  agentId: string;
  containers: LogContainerChoice[];
  stacks: string[];
  /** Why the container list is empty when the engine cannot be reached. */
  unreachable: string | null;
}

export async function listLogSourceChoices(actor: Actor, agentId: string): Promise<LogSourceChoices> {
  assertPermission(actor, "read:logs");
  try {
    const { agent } = await agentFor(actor, agentId);
    const all = await agent.listContainers({ all: true });
    const containers = all
      .map((c) => ({ id: c.id, name: c.name.replace(/^\//, ""), stack: c.stack, running: c.state === "running" }))
      .sort((a, b) => Number(b.running) - Number(a.running) || (a.stack ?? "\uffff").localeCompare(b.stack ?? "\uffff") || a.name.localeCompare(b.name));
    const stacks = [...new Set(containers.map((c) => c.stack).filter((s): s is string => Boolean(s)))].sort();
    return { agentId, containers, stacks, unreachable: null };
  } catch (error) {
    const known = toAppError(error);
    const offline = agentOfflineMessage(error);
    if (offline) return { agentId, containers: [], stacks: [], unreachable: offline };
    if (known?.code !== "docker_unreachable" && known?.code !== "agent_offline") throw error;
    return { agentId, containers: [], stacks: [], unreachable: known.message };
  }
}

/** Rows beyond this are not counted: the figure then reads "more than …". */
export const EXPORT_COUNT_CAP = 10_000_000;

/**
 * How many lines an export of `filters` will stream, counted (capped) within a short statement
 * timeout; null when counting would take longer than that (the export then shows bytes only).
 */
export async function countLogExport(actor: Actor, filters: LogFilters, timeoutMs = 2_000): Promise<number | null> {
  assertPermission(actor, "read:logs");
  const args = searchArgs(filters, EXPORT_COUNT_CAP);
  try {
    return await withOrgClient(actor.orgId, async (client) => {
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
      const rows = await client.query<{ n: string }>(COUNT_SQL, args);
      return Number(rows.rows[0]?.n ?? 0);
    });
  } catch (error) {
    // A timeout (57014) or a pattern Postgres refuses (the export itself answers that with a 400).
    if (["57014", "2201B"].includes((error as { code?: string }).code ?? "")) return null;
    logger.warn("log export count failed", { error: String(error) });
    return null;
  }
}
