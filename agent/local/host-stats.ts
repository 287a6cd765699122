// The machine's own CPU and memory use, for the host chart on the dashboard. Read from /proc when
// the agent runs on its engine's host (the same condition as the cgroup stats source); an agent
// that reaches a remote engine has no host figures to give (null), rather than its own.
import { readFileSync } from "node:fs";
import type { HostStats } from "../stats-history";

interface CpuTimes {
  busy: number;
  total: number;
}

/** `cpu` line of /proc/stat → busy and total jiffies (iowait counts as idle, as top does). Pure. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 4 || v.some((n) => !Number.isFinite(n))) return null;
  // user nice system idle iowait irq softirq steal (guest time is already in user/nice)
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = v[3] + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** MemTotal and MemAvailable of /proc/meminfo, in bytes. Pure. */
export function parseMeminfo(text: string): { totalBytes: number; usedBytes: number } | null {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const total = kb("MemTotal");
  const available = kb("MemAvailable");
  if (total === null || available === null) return null;
  return { totalBytes: total, usedBytes: Math.max(0, total - available) };
}

export function cpuPercentBetweenTimes(previous: CpuTimes | null, current: CpuTimes): number | null {
  if (!previous) return null;
  const total = current.total - previous.total;
  if (total <= 0) return null;
  return Math.round(Math.min(100, Math.max(0, ((current.busy - previous.busy) / total) * 100)) * 100) / 100;
}

export class HostStatsReader {
  private previous: CpuTimes | null = null;

  constructor(private readonly procDir = "/proc") {}

  read(now = new Date()): HostStats | null {
    try {
      const cpu = parseProcStat(readFileSync(`${this.procDir}/stat`, "utf8"));
      const memory = parseMeminfo(readFileSync(`${this.procDir}/meminfo`, "utf8"));
      if (!cpu || !memory) return null;
      const cpuPercent = cpuPercentBetweenTimes(this.previous, cpu);
      this.previous = cpu;
      const cpuCount = readFileSync(`${this.procDir}/stat`, "utf8").split("\n").filter((l) => /^cpu\d+ /.test(l)).length || 1;
      return { time: now.toISOString(), cpuPercent, cpuCount, memoryBytes: memory.usedBytes, memoryTotalBytes: memory.totalBytes };
    } catch {
      return null;
    }
  }
}
