// The one interface between InfraPilot's server and a Docker host.
//
// LocalAgent (agent/local) implements it in-process with dockerode; a future
// RemoteAgent implements it over Socket.IO RPC. So everything here is plain
// JSON-serialisable data: no dockerode types, no Buffers, no class instances.
// Times are ISO-8601 strings. Streams are AsyncIterables that end when the
// AbortSignal passed with them aborts; errors are the classes in ./errors.

import type { AgentErrorPayload } from "./errors";
import type {
  CreateNetworkOptions,
  ImageSummary,
  NetworkSummary,
  PruneOptions,
  PruneResult,
  PullProgress,
  RemoveImageOptions,
  VolumeSummary,
} from "./resource-types";
import type { HostStats, StatsHistorySeries, StatsRange } from "./stats-history";

export type ContainerState =
  | "created"
  | "running"
  | "paused"
  | "restarting"
  | "removing"
  | "exited"
  | "dead";

export type HealthStatus = "healthy" | "unhealthy" | "starting" | "none";

export interface AgentInfo {
  /** false when the engine did not answer; `error` then says why. */
  reachable: boolean;
  error: string | null;
  /** Where this agent reaches its engine, e.g. `unix:///var/run/docker.sock`. */
  dockerHost: string;
  hostname: string;
  dockerVersion: string | null;
  apiVersion: string | null;
  os: string | null;
  architecture: string | null;
  cpus: number | null;
  memoryBytes: number | null;
  containers: { total: number; running: number; paused: number; stopped: number } | null;
  nginxVersion: string | null;
}

export interface PortMapping {
  private: number;
  /** null when the port is exposed but not published on the host. */
  public: number | null;
  protocol: "tcp" | "udp" | "sctp";
  /** Host address the port is published on (`0.0.0.0`, `127.0.0.1`, `::`). */
  ip: string | null;
}

export interface ContainerSummary {
  /** Full 64-hex id. */
  id: string;
  name: string;
  image: string;
  imageId: string;
  command: string;
  state: ContainerState;
  /** Docker's human status, e.g. "Up 5 minutes (healthy)", "Exited (0) 2 hours ago". */
  status: string;
  createdAt: string;
  labels: Record<string, string>;
  /** Compose project (`com.docker.compose.project`), null for a lone container. */
  stack: string | null;
  /** Compose service (`com.docker.compose.service`). */
  service: string | null;
  ports: PortMapping[];
  health: HealthStatus;
}

export interface ListContainersOptions {
  /** Include stopped containers (default false: running only, like `docker ps`). */
  all?: boolean;
}

export interface EnvVar {
  key: string;
  value: string;
}

export interface MountInfo {
  type: string;
  /** Volume name for named volumes, null otherwise. */
  name: string | null;
  source: string;
  destination: string;
  mode: string;
  readOnly: boolean;
}

export interface NetworkAttachment {
  name: string;
  networkId: string;
  ipAddress: string | null;
  ipv6Address: string | null;
  gateway: string | null;
  macAddress: string | null;
  aliases: string[];
}

export interface HealthCheckResult {
  start: string;
  end: string;
  exitCode: number;
  output: string;
}

export interface ContainerDetail {
  /** Full immutable id: bind follow-up operations (exec!) to this, not to a name. */
  id: string;
  name: string;
  image: string;
  imageId: string;
  createdAt: string;
  stack: string | null;
  service: string | null;
  state: {
    status: ContainerState;
    running: boolean;
    paused: boolean;
    restarting: boolean;
    oomKilled: boolean;
    dead: boolean;
    pid: number | null;
    exitCode: number | null;
    error: string | null;
    startedAt: string | null;
    finishedAt: string | null;
  };
  restartPolicy: { name: string; maximumRetryCount: number };
  restartCount: number;
  health: { status: HealthStatus; failingStreak: number; log: HealthCheckResult[] } | null;
  /** Values as they are: masking secrets is the domain layer's job. */
  env: EnvVar[];
  mounts: MountInfo[];
  networkMode: string;
  /** `--privileged`: the container's processes have every capability and device of the host. */
  privileged: boolean;
  networks: NetworkAttachment[];
  ports: PortMapping[];
  config: {
    cmd: string[] | null;
    entrypoint: string[] | null;
    workingDir: string | null;
    user: string | null;
    hostname: string;
    tty: boolean;
    labels: Record<string, string>;
  };
}

export interface ContainerStats {
  id: string;
  /** When the engine read the counters. */
  time: string;
  /** Percent of one CPU (200 = two cores busy), from the delta to the previous
   *  sample of the same container; null until a previous sample exists. */
  cpuPercent: number | null;
  /** Used memory without page cache, as `docker stats` shows it. */
  memoryBytes: number;
  memoryLimitBytes: number;
  networkRxBytes: number;
  networkTxBytes: number;
}

/** One item of the live stats stream: a sampling round, or the start of an outage (reported once;
 *  the agent keeps sampling and batches resume when the engine is back). */
export type StatsUpdate = { stats: ContainerStats[]; host?: HostStats | null } | { error: AgentErrorPayload };

export type LogStream = "stdout" | "stderr";

export interface LogEntry {
  /** From the engine's timestamp; null when asked for logs without timestamps. */
  time: string | null;
  stream: LogStream;
  message: string;
}

export interface LogOptions {
  /** Last N lines (default: all). */
  tail?: number | "all";
  /** ISO-8601 times, as everywhere else on this interface. */
  since?: string;
  until?: string;
  follow?: boolean;
  /** Default true. */
  timestamps?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

export type ContainerEventAction =
  | "create"
  | "start"
  | "restart"
  | "stop"
  | "kill"
  | "die"
  | "oom"
  | "pause"
  | "unpause"
  | "destroy"
  | "rename"
  | "update"
  | "health_status"
  | (string & {});

export interface ContainerEvent {
  time: string;
  /** Docker's action without its argument: `health_status: healthy` → `health_status`. */
  action: ContainerEventAction;
  id: string;
  name: string | null;
  image: string | null;
  stack: string | null;
  exitCode: number | null;
  health: HealthStatus | null;
  attributes: Record<string, string>;
}

export interface ExecOptions {
  cmd: string[];
  tty?: boolean;
  cols?: number;
  rows?: number;
  env?: string[];
  user?: string;
  workingDir?: string;
}

export interface ExecOutput {
  /** A TTY session has one stream (stdout). */
  stream: LogStream;
  /** UTF-8 text, decoded across chunk boundaries. */
  data: string;
}

export interface ExecSession {
  /** The engine's exec id. */
  id: string;
  /** The inspected, immutable container id the session is bound to. */
  containerId: string;
  write(data: string): Promise<void>;
  resize(cols: number, rows: number): Promise<void>;
  /** Closes stdin; a shell then exits on its own. */
  end(): Promise<void>;
  output: AsyncIterable<ExecOutput>;
  /** Resolves when the process exits or the session is closed. */
  exit: Promise<{ exitCode: number | null }>;
}

export interface RemoveOptions {
  /** Kill a running container first. */
  force?: boolean;
  /** Also remove its anonymous volumes. */
  volumes?: boolean;
}

export interface StopOptions {
  /** Seconds to wait before killing (engine default 10). */
  timeoutSeconds?: number;
}

/**
 * The containers an agent must never let anyone act on destructively (docs/decisions/050): the
 * one it runs in (it holds the Docker socket), the ones its deployment names (its nginx
 * container), and every container of the same compose project as its own.
 */
export interface SelfContainers {
  /** Full ids, or 12-hex prefixes when only the hostname gave the id away. */
  ids: string[];
  /** Names or ids configured as part of the deployment (NGINX_CONTAINER). */
  refs: string[];
  /** The compose project of the agent's own container, null when it has none. */
  project: string | null;
}

export interface Agent {
  /** Never throws for an unreachable engine: `reachable` says so. */
  info(): Promise<AgentInfo>;
  /** Optional so that a transport without it simply protects by label only. */
  selfContainers?(): Promise<SelfContainers>;
  listContainers(options?: ListContainersOptions): Promise<ContainerSummary[]>;
  inspectContainer(id: string): Promise<ContainerDetail>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, options?: StopOptions): Promise<void>;
  restartContainer(id: string, options?: StopOptions): Promise<void>;
  removeContainer(id: string, options?: RemoveOptions): Promise<void>;
  /** Fresh stats of running containers (all when ids is omitted). Served from
   *  the live sampler when it runs, otherwise sampled once now. */
  stats(ids?: string[]): Promise<ContainerStats[]>;
  /** Live stats of all running containers, one update per sampling interval, until `signal`
   *  aborts. One sampler per agent runs while at least one stream is open; a consumer slower
   *  than the interval gets the newest rounds, not a growing backlog. */
  subscribeStats(signal?: AbortSignal): AsyncIterable<StatsUpdate>;
  /** Recent usage of one container (full id) or, with `containerId` null, of the host, from the
   *  bounded history the agent keeps while it samples (decision 105); empty points when it keeps none. */
  statsHistory(query: { containerId: string | null; range: StatsRange }): Promise<StatsHistorySeries>;
  logs(id: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogEntry[]>;
  events(signal?: AbortSignal): AsyncIterable<ContainerEvent>;
  exec(id: string, options: ExecOptions, signal?: AbortSignal): Promise<ExecSession>;

  // Images, volumes and networks (docs/decisions/075). Each list carries which containers use
  // what; the control plane decides what that forbids. Not found → ResourceNotFoundError, refused
  // by the engine (in use, name taken, pull failed) → ResourceConflictError.
  listImages(): Promise<ImageSummary[]>;
  /** `docker pull` of a validated reference (`name:tag` or `name@digest`); progress until the pull ends or `signal` aborts. */
  pullImage(reference: string, signal?: AbortSignal): AsyncIterable<PullProgress>;
  /** Removes the image (every tag of it); answers what was untagged and deleted. */
  removeImage(id: string, options?: RemoveImageOptions): Promise<string[]>;
  pruneImages(options?: PruneOptions): Promise<PruneResult>;
  /** `sizes`: ask the engine for each volume's disk use (`docker system df`), within `sizeTimeoutMs`. */
  listVolumes(options?: { sizes?: boolean; sizeTimeoutMs?: number }): Promise<VolumeSummary[]>;
  removeVolume(name: string): Promise<void>;
  pruneVolumes(options?: PruneOptions): Promise<PruneResult>;
  listNetworks(): Promise<NetworkSummary[]>;
  /** Creates a user network; answers it as listed. */
  createNetwork(options: CreateNetworkOptions): Promise<NetworkSummary>;
  removeNetwork(id: string): Promise<void>;
  /** Releases connections and stops the sampler. */
  close(): Promise<void>;
}
