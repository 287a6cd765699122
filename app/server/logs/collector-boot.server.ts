// Community edition: the built-in agent's container logs are persisted for every organization
// (there is one). A periodic check starts a collector for each organization that has none yet,
// so one appears right after first-run setup and after every restart.
import type { LogCollector } from "./log-collector.server";
import { startLogCollector } from "./log-collector.server";
import { localAgent, localAgentId } from "../agents/registry.server";
import { systemDb } from "../db/client.server";
import { edition } from "../edition.server";
import { env } from "../env.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";

const collectors = () => singleton("logs:collectors", () => new Map<string, LogCollector>());

let inFlight: Promise<void> | undefined;

/** Starts a collector for every organization that has none (one check at a time). */
export function ensureLogCollectors(): Promise<void> {
  inFlight ??= startMissing().finally(() => (inFlight = undefined));
  return inFlight;
}

async function startMissing(): Promise<void> {
  if (edition() !== "community" || !env().LOGS_PERSIST) return;
  const rows = await systemDb().$queryRaw<{ orgId: string }[]>`SELECT "orgId" FROM organization_ids()`;
  for (const { orgId } of rows) {
    if (collectors().has(orgId)) continue;
    const agentId = await localAgentId({ orgId });
    collectors().set(orgId, startLogCollector(localAgent(), { orgId, agentId }));
    logger.info("persisting container logs", { orgId, agentId });
  }
}

/** Stops following and writes what is buffered (graceful shutdown). */
export async function stopLogCollectors(): Promise<void> {
  const all = [...collectors().values()];
  collectors().clear();
  await Promise.allSettled(all.map((c) => c.stop()));
}
