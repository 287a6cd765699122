// Turns raw engine samples into ContainerStats. Pure.
import type { ContainerStats } from "../types";
import type { RawStats } from "./raw-types";

/** What we keep of a container's previous sample to compute CPU % from deltas. */
export interface CpuCounter {
  readMs: number;
  totalUsageNs: number;
  systemUsageNs: number | null;
  onlineCpus: number;
}

export function cpuCounterOf(raw: RawStats): CpuCounter | null {
  const total = raw.cpu_stats?.cpu_usage?.total_usage;
  if (total === undefined) return null;
  const readMs = raw.read ? Date.parse(raw.read) : Date.now();
  const online = raw.cpu_stats?.online_cpus || raw.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
  return {
    readMs: Number.isNaN(readMs) ? Date.now() : readMs,
    totalUsageNs: total,
    systemUsageNs: raw.cpu_stats?.system_cpu_usage ?? null,
    onlineCpus: online,
  };
}

/**
 * Same formula as `docker stats`: the container's CPU time over the host's CPU
 * time between two samples, times the number of CPUs, so 100 % is one core.
 * Falls back to wall-clock time when the engine gives no system usage.
 */
export function cpuPercentBetween(previous: CpuCounter | null | undefined, current: CpuCounter | null): number | null {
  if (!previous || !current) return null;
  const cpuDelta = current.totalUsageNs - previous.totalUsageNs;
  if (cpuDelta < 0) return null; // counters reset: the container restarted
  if (current.systemUsageNs !== null && previous.systemUsageNs !== null) {
    const systemDelta = current.systemUsageNs - previous.systemUsageNs;
    if (systemDelta > 0) return round2((cpuDelta / systemDelta) * current.onlineCpus * 100);
  }
  const wallNs = (current.readMs - previous.readMs) * 1e6;
  if (wallNs <= 0) return null;
  return round2((cpuDelta / wallNs) * 100);
}

/** Memory as `docker stats` shows it: usage minus reclaimable page cache. */
export function memoryUsedBytes(raw: RawStats): number {
  const usage = raw.memory_stats?.usage ?? 0;
  const stats = raw.memory_stats?.stats ?? {};
  // cgroup v1 reports total_inactive_file, v2 inactive_file.
  const inactive = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  return inactive < usage ? usage - inactive : usage;
}

export function toContainerStats(id: string, raw: RawStats, previous: CpuCounter | null | undefined): ContainerStats {
  let rx = 0;
  let tx = 0;
  for (const network of Object.values(raw.networks ?? {})) {
    rx += network.rx_bytes ?? 0;
    tx += network.tx_bytes ?? 0;
  }
  const counter = cpuCounterOf(raw);
  return {
    id,
    time: new Date(counter?.readMs ?? Date.now()).toISOString(),
    cpuPercent: cpuPercentBetween(previous, counter),
    memoryBytes: memoryUsedBytes(raw),
    memoryLimitBytes: raw.memory_stats?.limit ?? 0,
    networkRxBytes: rx,
    networkTxBytes: tx,
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
