// Gathers the facts behind the health page and GET /api/v1/health (each probe bounded in time)
// and hands them to the pure scorers in score.ts.
import { X509Certificate } from "node:crypto";
import { statfs } from "node:fs/promises";
import { cpus, freemem, loadavg, totalmem, uptime } from "node:os";
import { monitorEventLoopDelay, performance, type IntervalHistogram } from "node:perf_hooks";
import { readFileSync } from "node:fs";
import type { AgentHost } from "#agent/host";
import type { AgentInfo } from "#agent/types";
import { agentFor, agentOfflineMessage, NoAgentError, type ResolvedAgent } from "../agents/registry.server";
import { unreachableAgentInfo } from "#agent/info";
import { assertPermission, type Actor } from "../auth/require.server";
import { systemDb, withOrg } from "../db/client.server";
import { env } from "../env.server";
import { singleton } from "../singleton.server";
import {
  overall,
  scoreAlerts,
  scoreCertificates,
  scoreContainers,
  scoreDatabase,
  scoreDocker,
  scoreMonitors,
  scoreNginx,
  scoreProxies,
  scoreSystem,
  type CertificateHealthFacts,
  type DatabaseHealthFacts,
  type HealthReport,
  type SystemHealthFacts,
} from "./score";
import { containerFacts, firingAlerts, monitorFacts, proxyFacts } from "./workload-facts.server";
import { withTimeout } from "../with-timeout";

const PROBE_TIMEOUT_MS = 3_000;

function within<T>(promise: Promise<T>, fallback: (message: string) => T, what: string): Promise<T> {
  return withTimeout(
    promise.catch((error: unknown) => fallback(error instanceof Error ? error.message.split("\n")[0]! : String(error))),
    PROBE_TIMEOUT_MS,
    () => fallback(`${what}: no answer within ${PROBE_TIMEOUT_MS / 1000} s`),
  );
}

/** p99 event-loop delay over the last minute or so; starts measuring on first use. */
export function eventLoopLagMs(): number | null {
  const state = singleton("health:event-loop", () => {
    const h = monitorEventLoopDelay({ resolution: 20 });
    h.enable();
    return { h: h as IntervalHistogram, resetAt: Date.now() };
  });
  if (state.h.count === 0) return null;
  const lag = state.h.percentile(99) / 1e6;
  if (Date.now() - state.resetAt > 60_000) {
    state.h.reset();
    state.resetAt = Date.now();
  }
  return lag;
}

/** Key type/size and chain validity from a PEM bundle (leaf first). */
export function inspectPem(pem: string | null): Pick<CertificateHealthFacts, "keyType" | "keyBits" | "chainValid" | "selfSigned"> {
  const blocks = pem?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return { keyType: null, keyBits: null, chainValid: null, selfSigned: false };
  try {
    const chain = blocks.map((b) => new X509Certificate(b));
    const leaf = chain[0]!;
    const details = leaf.publicKey.asymmetricKeyDetails ?? {};
    const keyType = leaf.publicKey.asymmetricKeyType ?? null;
    const curveBits: Record<string, number> = { prime256v1: 256, "P-256": 256, secp384r1: 384, "P-384": 384, secp521r1: 521, "P-521": 521 };
    const keyBits = details.modulusLength ?? (details.namedCurve ? (curveBits[details.namedCurve] ?? null) : null);
    const selfSigned = chain.length === 1 && leaf.checkIssued(leaf) && leaf.verify(leaf.publicKey);
    let chainValid: boolean | null = chain.length > 1 ? true : null;
    for (let i = 0; i + 1 < chain.length; i++) {
      if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey)) chainValid = false;
    }
    return { keyType: keyType === "rsa" || keyType === "rsa-pss" ? "rsa" : keyType === "ec" ? "ec" : keyType, keyBits, chainValid, selfSigned };
  } catch {
    return { keyType: null, keyBits: null, chainValid: false, selfSigned: false };
  }
}

async function databaseFacts(): Promise<DatabaseHealthFacts> {
  return within<DatabaseHealthFacts>(
    (async () => {
      const db = systemDb();
      const started = performance.now();
      await db.$queryRaw`SELECT 1`;
      const latencyMs = performance.now() - started;
      const rows = await db.$queryRaw<{ connections: number; max: number; size: bigint }[]>`
        SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database()) AS connections,
               current_setting('max_connections')::int AS max,
               pg_database_size(current_database()) AS size`;
      const r = rows[0];
      return { reachable: true, error: null, latencyMs: Math.round(latencyMs * 10) / 10, connections: r?.connections ?? null, maxConnections: r?.max ?? null, sizeBytes: r ? Number(r.size) : null };
    })(),
    (error) => ({ reachable: false, error, latencyMs: null, connections: null, maxConnections: null, sizeBytes: null }),
    "database",
  );
}

async function systemFacts(): Promise<SystemHealthFacts> {
  const dataDir = env().DATA_DIR;
  const disk = await statfs(dataDir).catch(() => null);
  return {
    uptimeSeconds: Math.round(uptime()),
    memoryTotalBytes: totalmem(),
    memoryAvailableBytes: availableMemory(),
    load1: loadavg()[0] ?? 0,
    cpus: cpus().length,
    eventLoopLagMs: eventLoopLagMs(),
    dataDir,
    diskTotalBytes: disk ? disk.blocks * disk.bsize : null,
    diskFreeBytes: disk ? disk.bavail * disk.bsize : null,
  };
}

/** MemAvailable (page cache counts as available), falling back to free memory. */
function availableMemory(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync("/proc/meminfo", "utf8"));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return freemem();
}

function dockerInfo(agent: AgentHost["agent"], dockerHost: string): Promise<AgentInfo> {
  const unreachable = (error: string): AgentInfo => ({
    reachable: false,
    error,
    dockerHost,
    hostname: "",
    dockerVersion: null,
    apiVersion: null,
    os: null,
    architecture: null,
    cpus: null,
    memoryBytes: null,
    containers: null,
    nginxVersion: null,
  });
  return within(agent.info(), (e) => unreachable(`Docker engine not reachable at ${dockerHost}: ${e}`), `Docker engine at ${dockerHost}`);
}

/** nginx in a container: its version from inside the container, or why it cannot be driven. */
async function containerNginxFacts(nginx: NonNullable<AgentHost["proxies"]>): Promise<{ version: string | null; problem: string | null }> {
  const problem = await nginx.problem();
  return { problem, version: problem ? null : (await nginx.status()).version };
}

/**
 * The health of the organization as seen through one of its agents (the page's chosen one; null
 * when it has none). An agent that is offline, or missing, fails the Docker and nginx areas with
 * that reason instead of failing the report.
 */
export async function getHealth(actor: Actor, agentId: string | null): Promise<HealthReport> {
  assertPermission(actor, "read:health");
  const now = Date.now();
  let host: ResolvedAgent | null = null;
  let hostProblem = agentId ? null : new NoAgentError().message;
  if (agentId) {
    try {
      host = await agentFor(actor, agentId);
    } catch (error) {
      hostProblem = agentOfflineMessage(error);
      if (!hostProblem) throw error;
    }
  }
  const facts = host ? await host.facts() : null;
  const [db, system, docker, tenant, containers, proxies, alerts, monitors] = await Promise.all([
    databaseFacts(),
    systemFacts(),
    host && facts ? dockerInfo(host.agent, facts.dockerHost) : unreachableAgentInfo("no agent", hostProblem ?? "No agent."),
    within(
      withOrg(actor.orgId, async (tx) => ({
        certificates: await tx.certificate.findMany({ where: { orgId: actor.orgId }, select: { domains: true, status: true, error: true, notAfter: true, certificatePem: true } }),
        apply: await tx.proxyApplyState.findFirst({ where: { orgId: actor.orgId }, orderBy: { updatedAt: "desc" }, select: { state: true, message: true, appliedAt: true } }),
      })),
      () => ({ certificates: [], apply: null }),
      "database",
    ),
    host && agentId ? within(containerFacts(actor, agentId), () => null, "containers") : null,
    agentId ? within(proxyFacts(actor, agentId), () => [], "proxy hosts") : [],
    within(firingAlerts(actor), () => [], "alerts"),
    within(monitorFacts(actor), () => [], "monitors"),
  ]);
  const certs: CertificateHealthFacts[] = tenant.certificates.map((c) => ({
    name: c.domains[0] ?? "certificate",
    status: c.status,
    error: c.error,
    notAfter: c.notAfter?.getTime() ?? null,
    ...inspectPem(c.certificatePem),
  }));
  const mode = facts?.nginx.mode ?? "off";
  const nginxContainer = mode === "container" && host?.proxies ? await within(containerNginxFacts(host.proxies), (problem) => ({ version: null, problem }), "nginx container") : null;
  return overall(
    {
      certificates: scoreCertificates(certs, now),
      database: scoreDatabase(db),
      system: scoreSystem(system),
      docker: scoreDocker({
        reachable: docker.reachable,
        error: docker.error,
        dockerHost: docker.dockerHost,
        version: docker.dockerVersion,
        containers: docker.containers ? { total: docker.containers.total, running: docker.containers.running, stopped: docker.containers.stopped } : null,
      }),
      nginx: scoreNginx({ mode, unavailable: hostProblem, version: nginxContainer?.version ?? docker.nginxVersion, problem: nginxContainer?.problem ?? null, applyState: tenant.apply?.state ?? null, applyMessage: tenant.apply?.message ?? null, appliedAt: tenant.apply?.appliedAt?.toISOString() ?? null }),
      containers: scoreContainers(docker.reachable ? containers : null),
      proxies: scoreProxies(proxies),
      alerts: scoreAlerts(alerts),
      monitors: scoreMonitors(monitors),
    },
    new Date(now),
  );
}
