// Container stats read straight from the kernel (cgroup files and the
// container's /proc/<pid>/net/dev), the way cAdvisor does, when the agent runs
// on the engine's host and can see the container's processes. The engine
// computes its own stats from the very same files, but answering a stats
// request costs dockerd and containerd far more CPU than reading them (numbers
// in docs/decisions/010-agent-stats-sampling.md). Whenever a container cannot be
// read this way, read() answers null and the sampler asks the engine instead.
import { readFile } from "node:fs/promises";
import { totalmem } from "node:os";
import type { DockerClient } from "./docker-client";
import type { RawStats } from "./raw-types";

interface Mounts {
  /** v1 controller name → mount point (mounted at the hierarchy root). */
  v1: Map<string, string>;
  v2: string | null;
}

interface Target {
  /** Full id (callers may pass a name or short id). */
  id: string;
  pid: number;
  hostNetwork: boolean;
  cpu: { kind: "v1" | "v2"; dir: string } | null;
  memory: { kind: "v1" | "v2"; dir: string } | null;
}

const RETRY_AFTER_FAILURE_MS = 60_000;
const UNLIMITED = 2 ** 60;

export class HostCgroupStats {
  private mounts: Promise<Mounts | null> | null = null;
  private readonly targets = new Map<string, Target>();
  private readonly failedAt = new Map<string, number>();

  constructor(
    private readonly client: DockerClient,
    private readonly procRoot = "/proc",
  ) {}

  /** Stats in the engine's JSON shape, or null when this container is not readable from here. */
  async read(id: string): Promise<RawStats | null> {
    const failed = this.failedAt.get(id);
    if (failed !== undefined && Date.now() - failed < RETRY_AFTER_FAILURE_MS) return null;
    let target = this.targets.get(id);
    if (target && !(await this.stillRuns(target.id, target.pid))) {
      this.targets.delete(id);
      target = undefined;
    }
    target ??= (await this.locate(id)) ?? undefined;
    if (!target) {
      this.failedAt.set(id, Date.now());
      return null;
    }
    this.targets.set(id, target);
    try {
      return await this.sample(target);
    } catch {
      this.targets.delete(id);
      this.failedAt.set(id, Date.now());
      return null;
    }
  }

  /** Forget containers that are gone. */
  retain(ids: Set<string>): void {
    for (const id of this.targets.keys()) if (!ids.has(id)) this.targets.delete(id);
    for (const id of this.failedAt.keys()) if (!ids.has(id)) this.failedAt.delete(id);
  }

  private async stillRuns(id: string, pid: number): Promise<boolean> {
    const cgroup = await readFile(`${this.procRoot}/${pid}/cgroup`, "utf8").catch(() => "");
    return cgroup.includes(id);
  }

  private async locate(id: string): Promise<Target | null> {
    if (process.platform !== "linux") return null;
    this.mounts ??= readMounts(this.procRoot);
    const mounts = await this.mounts;
    if (!mounts) return null;
    const inspected = await this.client.inspectContainer(id).catch(() => null);
    const pid = inspected?.State?.Pid;
    if (!inspected || !pid) return null;
    // The pid is the engine's view. In another pid namespace (the agent itself in
    // a container) it may name an unrelated process: the cgroup must name the id.
    const cgroup = await readFile(`${this.procRoot}/${pid}/cgroup`, "utf8").catch(() => null);
    if (!cgroup || !cgroup.includes(inspected.Id)) return null;
    const paths = parseProcCgroup(cgroup);
    const pick = (controller: string) => {
      const v1Path = paths.v1.get(controller);
      const v1Mount = mounts.v1.get(controller);
      if (v1Path !== undefined && v1Mount) return { kind: "v1" as const, dir: `${v1Mount}${v1Path}` };
      if (paths.v2 !== null && mounts.v2) return { kind: "v2" as const, dir: `${mounts.v2}${paths.v2}` };
      return null;
    };
    const target: Target = {
      id: inspected.Id,
      pid,
      hostNetwork: inspected.HostConfig?.NetworkMode === "host",
      cpu: pick("cpuacct"),
      memory: pick("memory"),
    };
    if (!target.cpu || !target.memory) return null;
    // Prove the files are readable once; otherwise fall back for this container.
    return (await this.sample(target).then(() => true).catch(() => false)) ? target : null;
  }

  private async sample(target: Target): Promise<RawStats> {
    const [cpuNs, memory, networks] = await Promise.all([
      readCpuNs(target.cpu!),
      readMemory(target.memory!),
      target.hostNetwork ? Promise.resolve({}) : readNetDev(`${this.procRoot}/${target.pid}/net/dev`),
    ]);
    return {
      id: target.id,
      read: new Date().toISOString(),
      cpu_stats: { cpu_usage: { total_usage: cpuNs } },
      memory_stats: memory,
      networks,
    };
  }
}

async function readMounts(procRoot: string): Promise<Mounts | null> {
  const text = await readFile(`${procRoot}/self/mountinfo`, "utf8").catch(() => null);
  if (!text) return null;
  const mounts: Mounts = { v1: new Map(), v2: null };
  for (const line of text.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const fields = left.split(" ");
    const [fsType, , superOptions = ""] = right.split(" ");
    // A mount of a sub-tree (root other than /) would need path translation: skip it.
    if (fields[3] !== "/") continue;
    if (fsType === "cgroup2") mounts.v2 ??= fields[4];
    if (fsType === "cgroup") {
      for (const option of superOptions.split(",")) if (!mounts.v1.has(option)) mounts.v1.set(option, fields[4]);
    }
  }
  return mounts.v1.size > 0 || mounts.v2 ? mounts : null;
}

export function parseProcCgroup(text: string): { v1: Map<string, string>; v2: string | null } {
  const v1 = new Map<string, string>();
  let v2: string | null = null;
  for (const line of text.split("\n")) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    if (match[1] === "0" && match[2] === "") v2 = match[3];
    else for (const controller of match[2].split(",")) v1.set(controller, match[3]);
  }
  return { v1, v2 };
}

async function readCpuNs(cpu: { kind: "v1" | "v2"; dir: string }): Promise<number> {
  if (cpu.kind === "v1") return Number((await readFile(`${cpu.dir}/cpuacct.usage`, "utf8")).trim());
  const stat = await readFile(`${cpu.dir}/cpu.stat`, "utf8");
  const usec = /^usage_usec (\d+)/m.exec(stat);
  if (!usec) throw new Error("cpu.stat without usage_usec");
  return Number(usec[1]) * 1000;
}

async function readMemory(memory: { kind: "v1" | "v2"; dir: string }): Promise<NonNullable<RawStats["memory_stats"]>> {
  const [usageText, limitText, statText] = await Promise.all(
    (memory.kind === "v1"
      ? ["memory.usage_in_bytes", "memory.limit_in_bytes", "memory.stat"]
      : ["memory.current", "memory.max", "memory.stat"]
    ).map((file) => readFile(`${memory.dir}/${file}`, "utf8")),
  );
  const stats: Record<string, number> = {};
  for (const line of statText.split("\n")) {
    const [key, value] = line.split(" ");
    if (key === "total_inactive_file" || key === "inactive_file") stats[key] = Number(value);
  }
  const rawLimit = limitText.trim() === "max" ? Infinity : Number(limitText.trim());
  // As the engine does: no limit means the host's memory.
  const limit = rawLimit >= UNLIMITED || rawLimit > totalmem() ? totalmem() : rawLimit;
  return { usage: Number(usageText.trim()), limit, stats };
}

async function readNetDev(path: string): Promise<Record<string, { rx_bytes: number; tx_bytes: number }>> {
  const text = await readFile(path, "utf8");
  const networks: Record<string, { rx_bytes: number; tx_bytes: number }> = {};
  for (const line of text.split("\n").slice(2)) {
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    if (name === "lo") continue; // the engine reports the container's interfaces, not loopback
    const fields = line.slice(colon + 1).trim().split(/\s+/);
    networks[name] = { rx_bytes: Number(fields[0]), tx_bytes: Number(fields[8]) };
  }
  return networks;
}
