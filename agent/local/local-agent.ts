// The in-process Agent: the Docker engine at `dockerHost`, through dockerode.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { AgentError, ContainerStateError, DockerUnreachableError, toAgentErrorPayload } from "../errors";
import type {
  Agent,
  AgentInfo,
  SelfContainers,
  ContainerDetail,
  ContainerEvent,
  ContainerStats,
  ContainerSummary,
  ExecOptions,
  ExecSession,
  ListContainersOptions,
  LogEntry,
  LogOptions,
  RemoveOptions,
  StatsUpdate,
  StopOptions,
} from "../types";
import { DockerClient } from "./docker-client";
import { parseDockerHost } from "./docker-host";
import { openExecSession } from "./exec-session";
import { LogDecoder } from "./log-decoder";
import { COMPOSE_PROJECT_LABEL, toContainerDetail, toContainerEvent, toContainerSummary } from "./mappers";
import type { RawEvent } from "./raw-types";
import { StatsHistory, type StatsHistorySeries, type StatsRange } from "../stats-history";
import { StatsSampler } from "./stats-sampler";
import { iterateChunks, iterateJsonLines } from "./stream-iter";
import { unreachableAgentInfo } from "../info";
import { selfContainerIds, type SelfContainerFiles } from "../self-container";
import type { CreateNetworkOptions, ImageSummary, NetworkSummary, PruneOptions, PruneResult, PullProgress, RemoveImageOptions, VolumeSummary } from "../resource-types";
import * as resources from "./resources";

export interface LocalAgentOptions {
  /** `unix:///path` or `tcp://host:port`; default DOCKER_HOST, then /var/run/docker.sock. */
  dockerHost?: string;
  /** ca.pem/cert.pem/key.pem for a TLS engine; default DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set. */
  tlsCertPath?: string;
  statsIntervalMs?: number;
  /** See StatsSamplerOptions.source; default `auto`. */
  statsSource?: "auto" | "engine";
  /** nginx binary whose version `info()` reports; null to not look. */
  nginxBin?: string | null;
  /** Containers that belong to this deployment besides the agent's own (NGINX_CONTAINER). */
  deploymentContainers?: string[];
  /** Where to read the self-detection files (tests); default /proc/self/cgroup, /proc/self/mountinfo, /etc/hostname. */
  selfFiles?: { cgroup: string; mountinfo: string; hostname: string };
}

const MAX_LOG_BATCH = 1000;
const MAX_PENDING_STATS = 2;
const EMPTY_HISTORY = new StatsHistory();

export class LocalAgent implements Agent {
  readonly dockerHost: string;
  private readonly client: DockerClient;
  private readonly sampler: StatsSampler;
  private readonly nginxBin: string | null;
  private nginxVersion: { value: string | null; at: number } | null = null;
  private readonly deploymentContainers: string[];
  private readonly selfFiles: { cgroup: string; mountinfo: string; hostname: string };
  private selfIds: Promise<string[]> | null = null;
  private selfProject: string | null | undefined;
  private history: { store: StatsHistory; stop: () => void } | null = null;

  constructor(options: LocalAgentOptions = {}) {
    const address = parseDockerHost(options.dockerHost ?? process.env.DOCKER_HOST);
    this.dockerHost = address.display;
    const tlsCertPath =
      options.tlsCertPath ?? (process.env.DOCKER_TLS_VERIFY && process.env.DOCKER_CERT_PATH ? process.env.DOCKER_CERT_PATH : undefined);
    this.client = new DockerClient({ address, tlsCertPath });
    this.sampler = new StatsSampler(this.client, { intervalMs: options.statsIntervalMs, source: options.statsSource });
    this.nginxBin = options.nginxBin === undefined ? (process.env.NGINX_BIN ?? "nginx") : options.nginxBin;
    this.deploymentContainers = (options.deploymentContainers ?? []).filter(Boolean);
    this.selfFiles = options.selfFiles ?? { cgroup: "/proc/self/cgroup", mountinfo: "/proc/self/mountinfo", hostname: "/etc/hostname" };
  }

  async selfContainers(): Promise<SelfContainers> {
    // The files do not change while the process lives: read them once.
    this.selfIds ??= readSelfFiles(this.selfFiles).then(selfContainerIds);
    const ids = await this.selfIds;
    if (this.selfProject === undefined && ids.length > 0) {
      // Only a found container settles the project; an engine hiccup is retried next time.
      this.selfProject = await this.client
        .inspectContainer(ids[0])
        .then((raw) => raw.Config?.Labels?.[COMPOSE_PROJECT_LABEL] ?? null)
        .catch(() => undefined);
    }
    return { ids, refs: this.deploymentContainers, project: this.selfProject ?? null };
  }

  async info(): Promise<AgentInfo> {
    const nginxVersion = await this.probeNginxVersion();
    try {
      const [info, version] = await Promise.all([this.client.info(), this.client.version()]);
      return {
        reachable: true,
        error: null,
        dockerHost: this.dockerHost,
        hostname: info.Name || hostname(),
        dockerVersion: version.Version ?? info.ServerVersion ?? null,
        apiVersion: version.ApiVersion ?? null,
        os: info.OperatingSystem ?? version.Os ?? null,
        architecture: info.Architecture ?? version.Arch ?? null,
        cpus: info.NCPU ?? null,
        memoryBytes: info.MemTotal ?? null,
        containers: {
          total: info.Containers ?? 0,
          running: info.ContainersRunning ?? 0,
          paused: info.ContainersPaused ?? 0,
          stopped: info.ContainersStopped ?? 0,
        },
        nginxVersion,
      };
    } catch (error) {
      if (!(error instanceof DockerUnreachableError)) throw error;
      return unreachableAgentInfo(this.dockerHost, error.message, { hostname: hostname(), nginxVersion });
    }
  }

  async listContainers(options: ListContainersOptions = {}): Promise<ContainerSummary[]> {
    const raw = await this.client.listContainers(options.all ?? false);
    return raw.map(toContainerSummary);
  }

  async inspectContainer(id: string): Promise<ContainerDetail> {
    return toContainerDetail(await this.client.inspectContainer(id));
  }

  async startContainer(id: string): Promise<void> {
    await this.client.startContainer(id).catch((error) => {
      throw engineRefusal(stateMessage(error, id, "is already running"), id, "start");
    });
  }

  async stopContainer(id: string, options: StopOptions = {}): Promise<void> {
    await this.client.stopContainer(id, options.timeoutSeconds).catch((error) => {
      throw stateMessage(error, id, "is not running");
    });
  }

  async restartContainer(id: string, options: StopOptions = {}): Promise<void> {
    await this.client.restartContainer(id, options.timeoutSeconds).catch((error) => {
      throw engineRefusal(error, id, "restart");
    });
  }

  async removeContainer(id: string, options: RemoveOptions = {}): Promise<void> {
    await this.client.removeContainer(id, options.force ?? false, options.volumes ?? false).catch((error) => {
      if (error instanceof ContainerStateError && /running/i.test(error.message)) {
        throw new ContainerStateError(id, `Container ${id} is running: stop it first or remove it with force`);
      }
      throw error;
    });
  }

  stats(ids?: string[]): Promise<ContainerStats[]> {
    return this.sampler.fresh(ids);
  }

  async *subscribeStats(signal?: AbortSignal): AsyncGenerator<StatsUpdate> {
    if (signal?.aborted) return;
    const pending: StatsUpdate[] = [];
    let wake: (() => void) | null = null;
    const push = (update: StatsUpdate) => {
      pending.push(update);
      // Stats are a gauge: a slow consumer needs the newest rounds, not every one of them.
      if (pending.length > MAX_PENDING_STATS) pending.splice(0, pending.length - MAX_PENDING_STATS);
      wake?.();
    };
    const unsubscribe = this.sampler.subscribe(
      (stats, host) => push({ stats, host }),
      (error) => push({ error: toAgentErrorPayload(error) }),
    );
    // Unsubscribe at the abort itself, not when the generator next resumes: the last leaving
    // stream stops the sampler at once.
    const onAbort = () => {
      unsubscribe();
      wake?.();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal?.aborted) {
        const next = pending.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      unsubscribe();
    }
  }

  async *logs(id: string, options: LogOptions, signal?: AbortSignal): AsyncGenerator<LogEntry[]> {
    const container = await this.client.inspectContainer(id);
    const timestamps = options.timestamps ?? true;
    const query: Record<string, string | number | boolean> = {
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      follow: options.follow ?? false,
      timestamps,
      tail: options.tail === undefined ? "all" : String(options.tail),
    };
    if (options.since !== undefined) query.since = toUnixSeconds(options.since);
    if (options.until !== undefined) query.until = toUnixSeconds(options.until);
    const stream = await this.client.logs(container.Id, query, signal);
    const decoder = new LogDecoder({ tty: container.Config?.Tty ?? false, timestamps });
    for await (const chunk of iterateChunks(stream, signal, (e) => this.client.toAgentError(e, id))) {
      if (signal?.aborted) return;
      yield* inBatches(decoder.push(chunk));
    }
    if (!signal?.aborted) yield* inBatches(decoder.end());
  }

  async *events(signal?: AbortSignal): AsyncGenerator<ContainerEvent> {
    const stream = await this.client.events({ type: ["container"] }, signal);
    const chunks = iterateChunks(stream, signal, (e) => this.client.toAgentError(e));
    for await (const raw of iterateJsonLines(chunks)) {
      if (signal?.aborted) return;
      const event = toContainerEvent(raw as RawEvent);
      if (event) yield event;
    }
  }

  async exec(id: string, options: ExecOptions, signal?: AbortSignal): Promise<ExecSession> {
    // Bind to the immutable id now: a name could point at another container later.
    const container = await this.client.inspectContainer(id);
    const state = container.State?.Status ?? "unknown";
    if (!container.State?.Running || container.State.Paused || container.State.Restarting) {
      throw new ContainerStateError(id, `Cannot open a terminal: container ${id} is ${state}, not running`);
    }
    return openExecSession(this.client, container.Id, options, signal);
  }

  // Images, volumes, networks: agent/local/resources.ts (docs/decisions/075).
  listImages(): Promise<ImageSummary[]> {
    return resources.listImages(this.client);
  }

  pullImage(reference: string, signal?: AbortSignal): AsyncIterable<PullProgress> {
    return resources.pullImage(this.client, reference, signal);
  }

  removeImage(id: string, options: RemoveImageOptions = {}): Promise<string[]> {
    return resources.removeImage(this.client, id, options.force ?? false);
  }

  pruneImages(options?: PruneOptions): Promise<PruneResult> {
    return resources.pruneImages(this.client, options);
  }

  listVolumes(options?: { sizes?: boolean; sizeTimeoutMs?: number }): Promise<VolumeSummary[]> {
    return resources.listVolumes(this.client, options);
  }

  removeVolume(name: string): Promise<void> {
    return this.client.removeVolume(name);
  }

  pruneVolumes(options?: PruneOptions): Promise<PruneResult> {
    return resources.pruneVolumes(this.client, options);
  }

  listNetworks(): Promise<NetworkSummary[]> {
    return resources.listNetworks(this.client);
  }

  createNetwork(options: CreateNetworkOptions): Promise<NetworkSummary> {
    return resources.createNetwork(this.client, options);
  }

  removeNetwork(id: string): Promise<void> {
    return this.client.removeNetwork(id);
  }

  /** `docker exec` without a terminal: output and exit code (for the nginx container, agent/nginx). */
  execCapture(id: string, cmd: string[], timeoutMs?: number): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
    return this.client.execCapture(id, cmd, timeoutMs);
  }

  /** `docker top`: pid and parent pid (as the engine's host sees them) and command line of each process of a running container. */
  async containerProcesses(id: string): Promise<{ pid: number; ppid: number; args: string }[]> {
    const top = await this.client.top(id, "-eo pid,ppid,args");
    const titles = (top.Titles ?? []).map((t) => t.toUpperCase());
    const pidAt = titles.indexOf("PID");
    const ppidAt = titles.indexOf("PPID");
    const argsAt = titles.findIndex((t) => /^(COMMAND|CMD|ARGS)$/.test(t));
    return (top.Processes ?? []).map((row) => ({ pid: Number(row[pidAt]), ppid: Number(row[ppidAt]), args: row[argsAt] ?? "" }));
  }

  /** `docker network connect`: attaches a container to a network (by id or name). */
  connectNetwork(networkId: string, containerId: string): Promise<void> {
    return this.client.connectNetwork(networkId, containerId);
  }

  /**
   * Keeps sampling and records every round in a bounded in-memory history (1 h of 10-s points,
   * 24 h of 1-min points per container and for the host; decision 105) until close().
   */
  keepStatsHistory(): void {
    if (this.history) return;
    const store = new StatsHistory();
    const stop = this.sampler.subscribe((stats, host) => store.record(stats, host));
    this.history = { store, stop };
  }

  async statsHistory(query: { containerId: string | null; range: StatsRange }): Promise<StatsHistorySeries> {
    return (this.history?.store ?? EMPTY_HISTORY).query(query.containerId, query.range);
  }

  async close(): Promise<void> {
    this.history?.stop();
    this.history = null;
    this.sampler.close();
  }

  private async probeNginxVersion(): Promise<string | null> {
    if (this.nginxBin === null) return null;
    if (this.nginxVersion && Date.now() - this.nginxVersion.at < 60_000) return this.nginxVersion.value;
    const value = await new Promise<string | null>((resolve) => {
      execFile(this.nginxBin!, ["-v"], { timeout: 3_000 }, (error, stdout, stderr) => {
        if (error) return resolve(null);
        resolve(/nginx\/(\S+)/.exec(`${stderr}${stdout}`)?.[1] ?? null);
      });
    });
    this.nginxVersion = { value, at: Date.now() };
    return value;
  }
}

/** Docker answers start/stop of a container already in that state with a bare 304. */
function stateMessage(error: unknown, id: string, meaning: string): unknown {
  if (error instanceof ContainerStateError && /wrong state|already (started|stopped)/i.test(error.message)) {
    return new ContainerStateError(id, `Container ${id} ${meaning}`);
  }
  return error;
}

/**
 * The engine answered but refused (a command missing from the image, a port already taken): the
 * container cannot run as configured — a conflict with its state, with Docker's own reason, not
 * an internal error of ours.
 */
function engineRefusal(error: unknown, id: string, verb: "start" | "restart"): unknown {
  const status = ((error as { cause?: { statusCode?: unknown } })?.cause)?.statusCode;
  if (error instanceof AgentError && error.code === "agent_error" && typeof status === "number" && status >= 400) {
    return new ContainerStateError(id, `Docker could not ${verb} the container: ${error.message}`);
  }
  return error;
}

function* inBatches(entries: LogEntry[]): Generator<LogEntry[]> {
  for (let i = 0; i < entries.length; i += MAX_LOG_BATCH) yield entries.slice(i, i + MAX_LOG_BATCH);
}

function toUnixSeconds(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`Invalid time: ${value}`);
  return (ms / 1000).toFixed(3);
}

async function readSelfFiles(paths: { cgroup: string; mountinfo: string; hostname: string }): Promise<SelfContainerFiles> {
  const read = (path: string) => readFile(path, "utf8").catch(() => null);
  const [cgroup, mountinfo, hostname] = await Promise.all([read(paths.cgroup), read(paths.mountinfo), read(paths.hostname)]);
  return { cgroup, mountinfo, hostname };
}
