// Pure counting for the dashboard's cards, so what a card claims is unit-tested without I/O.

export interface CountableContainer {
  id: string;
  name: string;
  state: string;
  health: string;
  exitCode: number | null;
  createdAt: string;
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
}

export interface ContainerCounts {
  total: number;
  running: number;
  stopped: number;
  /** Exited non-zero (not after a requested stop), dead or restarting: as the health score counts them. */
  crashed: { id: string; name: string; state: string; exitCode: number | null }[];
  unhealthy: { id: string; name: string }[];
  topCpu: { id: string; name: string; cpuPercent: number }[];
  topMemory: { id: string; name: string; memoryBytes: number; memoryLimitBytes: number | null }[];
}

import { STOPPED_ON_PURPOSE } from "../health/score";

export function topBy<T>(items: T[], value: (item: T) => number | null, n = 3): T[] {
  return items
    .filter((i) => (value(i) ?? 0) > 0)
    .sort((a, b) => value(b)! - value(a)!)
    .slice(0, n);
}

export function countContainers(items: CountableContainer[]): ContainerCounts {
  const running = items.filter((c) => c.state === "running");
  return {
    total: items.length,
    running: running.length,
    stopped: items.length - running.length,
    // Newest first: the card shows the first few, and the latest problem is the likeliest news.
    crashed: [...items]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .filter((c) => c.state === "dead" || c.state === "restarting" || (c.state === "exited" && c.exitCode !== null && !STOPPED_ON_PURPOSE.has(c.exitCode)))
      .map((c) => ({ id: c.id, name: c.name, state: c.state, exitCode: c.exitCode })),
    unhealthy: [...items].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).filter((c) => c.health === "unhealthy").map((c) => ({ id: c.id, name: c.name })),
    topCpu: topBy(running, (c) => c.cpuPercent).map((c) => ({ id: c.id, name: c.name, cpuPercent: c.cpuPercent! })),
    topMemory: topBy(running, (c) => c.memoryBytes).map((c) => ({ id: c.id, name: c.name, memoryBytes: c.memoryBytes!, memoryLimitBytes: c.memoryLimitBytes })),
  };
}

export interface CountableProxy {
  id: string;
  name: string;
  enabled: boolean;
  state: string;
  message: string | null;
  upstreamReachable: boolean | null;
  upstream: string | null;
}

export interface ProxyCounts {
  total: number;
  ok: number;
  error: number;
  pending: number;
  disabled: number;
  /** Hosts that need a look: failed apply or an upstream that does not answer. */
  problems: { id: string; name: string; reason: string }[];
}

export function countProxies(hosts: CountableProxy[]): ProxyCounts {
  const enabled = hosts.filter((h) => h.enabled);
  const problems: ProxyCounts["problems"] = [];
  for (const h of enabled) {
    if (h.state === "error") problems.push({ id: h.id, name: h.name, reason: `not applied: ${h.message ?? "nginx refused it"}` });
    if (h.upstreamReachable === false) problems.push({ id: h.id, name: h.name, reason: `upstream ${h.upstream ?? ""} does not answer` });
  }
  return {
    total: hosts.length,
    ok: enabled.filter((h) => h.state === "ok").length,
    error: enabled.filter((h) => h.state === "error").length,
    pending: enabled.filter((h) => h.state === "pending").length,
    disabled: hosts.length - enabled.length,
    problems,
  };
}
