// Community edition: the built-in agent's container logs are persisted for every organization
// (there is one). A periodic check starts a collector for each organization that has none yet,
// so one appears right after first-run setup and after every restart. When the agent's nginx logs
// can be followed (its AgentHost has `proxyLogs`: NGINX_MODE=local for the built-in agent) the
// same check starts one proxy-log shipper per organization (its hosts' access and error logs,
// resuming from the stored offsets).
import { join } from "node:path";
import type { LogCollector } from "./log-collector.server";
import { startLogCollector } from "./log-collector.server";
import { hostFor, localAgentId } from "../agents/registry.server";
import { systemDb } from "../db/client.server";
import { edition } from "../edition.server";
import { env } from "../env.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";
import { startProxyLogShipper, type ProxyLogShipper } from "./proxy-log.server";

const collectors = () => singleton("logs:collectors", () => new Map<string, LogCollector>());

const proxyShippers = () => singleton("logs:proxy-shippers", () => new Map<string, ProxyLogShipper>());

/** The running proxy-log shipper of an organization (tests, diagnostics). */
export function proxyLogShipper(orgId: string): ProxyLogShipper | undefined {
  return proxyShippers().get(orgId);
}

let inFlight: Promise<void> | undefined;

/** Starts a collector for every organization that has none (one check at a time). */
export function ensureLogCollectors(): Promise<void> {
  inFlight ??= startMissing().finally(() => (inFlight = undefined));
  return inFlight;
}

async function startMissing(): Promise<void> {
  if (edition() !== "community" || !env().LOGS_PERSIST) return;
  const rows = await systemDb().$queryRaw<{ orgId: string }[]>`SELECT "orgId" FROM organization_ids()`;
  const hosts = new Map<string, Awaited<ReturnType<typeof hostFor>>>();
  const hostOf = async (orgId: string) => {
    let host = hosts.get(orgId);
    if (!host) hosts.set(orgId, (host = await hostFor({ orgId }, await localAgentId({ orgId }))));
    return host;
  };
  for (const { orgId } of rows) {
    if (collectors().has(orgId)) continue;
    const host = await hostOf(orgId);
    collectors().set(orgId, startLogCollector(host.agent, { orgId, agentId: host.id }));
    logger.info("persisting container logs", { orgId, agentId: host.id });
  }
  for (const { orgId } of rows) {
    if (proxyShippers().has(orgId)) continue;
    const e = env();
    try {
      const logs = (await hostOf(orgId)).proxyLogs;
      if (!logs) continue;
      const shipper = await startProxyLogShipper({ orgId, logs, offsetsFile: join(e.DATA_DIR, "logs", `proxy-offsets-${orgId}.json`) });
      proxyShippers().set(orgId, shipper);
      logger.info("persisting proxy logs", { orgId });
    } catch (error) {
      logger.warn("proxy logs not persisted yet", { orgId, error: String(error) });
    }
  }
}

/** Stops following and writes what is buffered (graceful shutdown). */
export async function stopLogCollectors(): Promise<void> {
  const all = [...collectors().values(), ...proxyShippers().values()];
  collectors().clear();
  proxyShippers().clear();
  await Promise.allSettled(all.map((c) => c.stop()));
}
