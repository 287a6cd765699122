// The only module that imports dockerode. It turns engine failures into the
// agent's typed errors and hands out the engine's raw JSON (typed loosely in
// ./raw-types) for the mappers to turn into DTOs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import Docker from "dockerode";
import {
  AgentError,
  ContainerNotFoundError,
  ContainerStateError,
  DockerUnreachableError,
  ResourceConflictError,
  ResourceNotFoundError,
  type ResourceKind,
} from "../errors";
import type { DockerAddress } from "./docker-host";
import { FrameDemuxer } from "./log-decoder";
import type {
  RawContainerInspect,
  RawContainerSummary,
  RawEngineInfo,
  RawExecInspect,
  RawImage,
  RawNetwork,
  RawPruneReport,
  RawStats,
  RawVersion,
  RawVolume,
} from "./raw-types";

export interface DockerClientOptions {
  address: DockerAddress;
  /** Directory with ca.pem, cert.pem, key.pem for a TLS tcp:// engine. */
  tlsCertPath?: string;
  /** Give up on a request whose response headers have not arrived (ms). */
  requestTimeoutMs?: number;
}

interface EngineError extends Error {
  statusCode?: number;
  code?: string;
  json?: unknown;
}

const UNREACHABLE_CODES: Record<string, string> = {
  ENOENT: "no socket at that path",
  ECONNREFUSED: "connection refused",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ETIMEDOUT: "timed out",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed",
  ENOTSOCK: "not a socket",
};

export class DockerClient {
  readonly address: DockerAddress;
  private readonly docker: Docker;

  constructor(options: DockerClientOptions) {
    this.address = options.address;
    const timeout = options.requestTimeoutMs ?? 15_000;
    if (options.address.kind === "unix") {
      this.docker = new Docker({ socketPath: options.address.socketPath, connectionTimeout: timeout } as Docker.DockerOptions);
    } else {
      const certs = options.tlsCertPath
        ? {
            ca: readFileSync(join(options.tlsCertPath, "ca.pem")),
            cert: readFileSync(join(options.tlsCertPath, "cert.pem")),
            key: readFileSync(join(options.tlsCertPath, "key.pem")),
          }
        : {};
      const tls = options.address.tls || Boolean(options.tlsCertPath);
      this.docker = new Docker({
        host: options.address.host,
        port: options.address.port,
        protocol: tls ? "https" : "http",
        connectionTimeout: timeout,
        ...certs,
      } as unknown as Docker.DockerOptions);
    }
  }

  /** Maps any failure of an engine call to the agent's error classes. */
  toAgentError(error: unknown, containerRef?: string): Error {
    if (error instanceof AgentError) return error;
    if (isAbort(error)) return error as Error;
    const e = error as EngineError;
    const code = e?.code;
    if (code && code in UNREACHABLE_CODES) {
      return new DockerUnreachableError(this.address.display, `${UNREACHABLE_CODES[code]} (${code})`, { cause: error });
    }
    if (e?.message === "socket hang up" || e?.message === "aborted") {
      return new DockerUnreachableError(this.address.display, e.message, { cause: error });
    }
    const status = e?.statusCode;
    const engineMessage = engineMessageOf(e);
    if (status === 404 && containerRef !== undefined && /no such container/i.test(engineMessage)) {
      return new ContainerNotFoundError(containerRef);
    }
    if (status === 404 && containerRef !== undefined && !/exec/i.test(engineMessage)) {
      return new ContainerNotFoundError(containerRef);
    }
    if ((status === 304 || status === 409) && containerRef !== undefined) {
      return new ContainerStateError(containerRef, engineMessage || `Container ${containerRef} is in the wrong state`);
    }
    return new AgentError(engineMessage || e?.message || String(error), { cause: error });
  }

  private async call<T>(containerRef: string | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.toAgentError(error, containerRef);
    }
  }

  ping(signal?: AbortSignal): Promise<unknown> {
    return this.call(undefined, () => (this.docker.ping as (options: object) => Promise<unknown>).call(this.docker, { abortSignal: signal }));
  }

  version(): Promise<RawVersion> {
    return this.call(undefined, () => this.docker.version() as Promise<RawVersion>);
  }

  info(): Promise<RawEngineInfo> {
    return this.call(undefined, () => this.docker.info() as Promise<RawEngineInfo>);
  }

  listContainers(all: boolean, filters?: Record<string, string[]>): Promise<RawContainerSummary[]> {
    return this.call(undefined, () =>
      this.docker.listContainers({ all, filters: filters ? JSON.stringify(filters) : undefined }) as Promise<RawContainerSummary[]>,
    );
  }

  inspectContainer(id: string): Promise<RawContainerInspect> {
    return this.call(id, () => this.docker.getContainer(id).inspect() as Promise<RawContainerInspect>);
  }

  startContainer(id: string): Promise<void> {
    return this.call(id, () => this.docker.getContainer(id).start());
  }

  stopContainer(id: string, timeoutSeconds?: number): Promise<void> {
    return this.call(id, () => this.docker.getContainer(id).stop(timeoutSeconds === undefined ? {} : { t: timeoutSeconds }));
  }

  restartContainer(id: string, timeoutSeconds?: number): Promise<void> {
    return this.call(id, () => this.docker.getContainer(id).restart(timeoutSeconds === undefined ? {} : { t: timeoutSeconds }));
  }

  removeContainer(id: string, force: boolean, volumes: boolean): Promise<void> {
    return this.call(id, () => this.docker.getContainer(id).remove({ force, v: volumes }));
  }

  /** One sample, without the engine's 1 s pre-read (`one-shot`, API ≥ 1.41). */
  statsOnce(id: string, signal?: AbortSignal): Promise<RawStats> {
    return this.call(id, () => this.containerStats(id, { stream: false, "one-shot": true, abortSignal: signal }) as Promise<RawStats>);
  }

  /** Persistent stats stream (one JSON document per engine tick, ~1 s). */
  statsStream(id: string, signal?: AbortSignal): Promise<NodeJS.ReadableStream> {
    return this.call(id, () => this.containerStats(id, { stream: true, abortSignal: signal }) as Promise<NodeJS.ReadableStream>);
  }

  private containerStats(id: string, options: object): Promise<unknown> {
    // @types/dockerode lacks `one-shot` and `abortSignal` on stats.
    const container = this.docker.getContainer(id) as unknown as { stats(options: object): Promise<unknown> };
    return container.stats(options);
  }

  /** Always a stream (dockerode buffers non-follow logs and may even JSON-parse them). */
  logs(id: string, query: Record<string, string | number | boolean>, signal?: AbortSignal): Promise<NodeJS.ReadableStream> {
    return this.call(id, () => this.dialStream(`/containers/${encodeURIComponent(id)}/logs?`, query, signal));
  }

  private dialStream(path: string, query: Record<string, unknown>, signal?: AbortSignal): Promise<NodeJS.ReadableStream> {
    const modem = (this.docker as unknown as { modem: { dial(options: object, cb: (err: unknown, data: unknown) => void): void } }).modem;
    return new Promise((resolve, reject) => {
      modem.dial(
        {
          path,
          method: "GET",
          isStream: true,
          abortSignal: signal,
          statusCodes: { 200: true, 404: "no such container", 500: "server error" },
          options: query,
        },
        (err, data) => (err ? reject(err) : resolve(data as NodeJS.ReadableStream)),
      );
    });
  }

  events(filters: Record<string, string[]>, signal?: AbortSignal): Promise<NodeJS.ReadableStream> {
    return this.call(undefined, () => this.docker.getEvents({ filters, abortSignal: signal } as Docker.GetEventsOptions));
  }

  async createExec(
    containerId: string,
    options: { cmd: string[]; tty: boolean; env?: string[]; user?: string; workingDir?: string },
  ): Promise<string> {
    const exec = await this.call(containerId, () =>
      this.docker.getContainer(containerId).exec({
        Cmd: options.cmd,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: options.tty,
        Env: options.env,
        User: options.user,
        WorkingDir: options.workingDir,
      }),
    );
    return exec.id;
  }

  startExec(containerId: string, execId: string, tty: boolean): Promise<Duplex> {
    return this.call(containerId, () =>
      this.docker.getExec(execId).start({ hijack: true, stdin: true, Tty: tty }) as unknown as Promise<Duplex>,
    );
  }

  resizeExec(containerId: string, execId: string, cols: number, rows: number): Promise<void> {
    return this.call(containerId, () => this.docker.getExec(execId).resize({ w: cols, h: rows }));
  }

  inspectExec(containerId: string, execId: string): Promise<RawExecInspect> {
    return this.call(containerId, () => this.docker.getExec(execId).inspect() as Promise<RawExecInspect>);
  }

  /**
   * Runs a command in a running container without a terminal and collects its output and exit
   * code (`docker exec` with captured output). Gives up after `timeoutMs` (exit code null).
   */
  async execCapture(containerId: string, cmd: string[], timeoutMs = 30_000): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
    const exec = await this.call(containerId, () =>
      this.docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false }),
    );
    const stream = (await this.call(containerId, () => exec.start({ hijack: true, stdin: false }) as unknown as Promise<Duplex>)) as Duplex;
    const demuxer = new FrameDemuxer();
    const out: Record<"stdout" | "stderr", Buffer[]> = { stdout: [], stderr: [] };
    const finished = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        stream.destroy();
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      stream.on("data", (chunk: Buffer) => {
        for (const frame of demuxer.push(chunk)) out[frame.stream].push(frame.payload);
      });
      stream.once("end", done);
      stream.once("close", done);
      stream.once("error", done);
    });
    const text = (s: "stdout" | "stderr") => Buffer.concat(out[s]).toString("utf8");
    if (!finished) return { exitCode: null, stdout: text("stdout"), stderr: `${text("stderr")}\n(timed out after ${timeoutMs} ms)`.trim() };
    // The stream ends when the process exits; the engine may record the exit code a moment later.
    for (let i = 0; i < 50; i++) {
      const info = await this.inspectExec(containerId, exec.id);
      if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return { exitCode: info.ExitCode, stdout: text("stdout"), stderr: text("stderr") };
      await new Promise((r) => setTimeout(r, 10));
    }
    return { exitCode: null, stdout: text("stdout"), stderr: text("stderr") };
  }

  /** `docker top`: processes of a running container as the engine's host sees them. */
  top(containerId: string, psArgs = "-eo pid,args"): Promise<{ Titles?: string[]; Processes?: string[][] }> {
    return this.call(containerId, () => this.docker.getContainer(containerId).top({ ps_args: psArgs }) as Promise<{ Titles?: string[]; Processes?: string[][] }>);
  }

  // Images, volumes, networks (docs/decisions/075). 404 → ResourceNotFoundError, 409 and the
  // engine's other refusals of a valid request → ResourceConflictError.

  private async resource<T>(kind: ResourceKind, ref: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const mapped = this.toAgentError(error);
      const status = (error as EngineError)?.statusCode;
      if (status === 404) throw new ResourceNotFoundError(kind, ref);
      if (status === 409 || status === 403 || status === 400) throw new ResourceConflictError(kind, ref, engineMessageOf(error as EngineError) || mapped.message);
      throw mapped;
    }
  }

  listImages(): Promise<RawImage[]> {
    return this.resource("image", "", () => this.docker.listImages({ all: false }) as Promise<RawImage[]>);
  }

  /** `POST /images/create` as a stream of JSON lines; the caller always names a tag or digest. */
  async pullImage(fromImage: string, tagOrDigest: string, signal?: AbortSignal): Promise<NodeJS.ReadableStream> {
    const reference = `${fromImage}${tagOrDigest.includes(":") ? "@" : ":"}${tagOrDigest}`;
    try {
      return await this.dial("POST", "/images/create?", { fromImage, tag: tagOrDigest }, signal);
    } catch (error) {
      // Unknown repository or tag, registry refused or unreachable: the engine's words say which.
      if ((error as EngineError)?.statusCode) throw new ResourceConflictError("image", reference, `Pull of ${reference} failed: ${engineMessageOf(error as EngineError)}`);
      throw this.toAgentError(error);
    }
  }

  removeImage(id: string, force: boolean): Promise<Array<{ Untagged?: string; Deleted?: string }>> {
    return this.resource("image", id, () => this.docker.getImage(id).remove({ force }) as Promise<Array<{ Untagged?: string; Deleted?: string }>>);
  }

  pruneImages(filters: Record<string, string[]>): Promise<RawPruneReport> {
    return this.resource("image", "", () => this.docker.pruneImages({ filters: JSON.stringify(filters) } as object) as Promise<RawPruneReport>);
  }

  listVolumes(): Promise<RawVolume[]> {
    return this.resource("volume", "", async () => ((await this.docker.listVolumes()) as { Volumes?: RawVolume[] | null }).Volumes ?? []);
  }

  /** `GET /system/df?type=volume`: the engine walks each volume's files, so callers bound it in time. */
  volumeDiskUsage(signal?: AbortSignal): Promise<RawVolume[]> {
    const df = this.docker.df as unknown as (options: object) => Promise<{ Volumes?: RawVolume[] | null }>;
    return this.resource("volume", "", async () => (await df.call(this.docker, { type: "volume", abortSignal: signal })).Volumes ?? []);
  }

  removeVolume(name: string): Promise<void> {
    return this.resource("volume", name, () => this.docker.getVolume(name).remove({}) as Promise<void>);
  }

  listNetworks(): Promise<RawNetwork[]> {
    return this.resource("network", "", () => this.docker.listNetworks() as Promise<RawNetwork[]>);
  }

  inspectNetwork(id: string): Promise<RawNetwork> {
    return this.resource("network", id, () => this.docker.getNetwork(id).inspect() as Promise<RawNetwork>);
  }

  async createNetwork(options: { Name: string; Driver: string; Internal: boolean; Attachable: boolean; Labels: Record<string, string>; IPAM?: object }): Promise<string> {
    const network = await this.resource("network", options.Name, () => this.docker.createNetwork({ ...options, CheckDuplicate: true } as Docker.NetworkCreateOptions));
    return network.id;
  }

  removeNetwork(id: string): Promise<void> {
    return this.resource("network", id, () => this.docker.getNetwork(id).remove() as Promise<void>);
  }

  private dial(method: string, path: string, query: Record<string, unknown>, signal?: AbortSignal): Promise<NodeJS.ReadableStream> {
    const modem = (this.docker as unknown as { modem: { dial(options: object, cb: (err: unknown, data: unknown) => void): void } }).modem;
    return new Promise((resolve, reject) => {
      modem.dial(
        { path, method, isStream: true, abortSignal: signal, statusCodes: { 200: true, 400: "bad parameter", 403: "forbidden", 404: "not found", 500: "server error" }, options: query },
        (err, data) => (err ? reject(err) : resolve(data as NodeJS.ReadableStream)),
      );
    });
  }

  /** `docker network connect <network> <container>`. */
  connectNetwork(networkId: string, containerId: string): Promise<void> {
    return this.call(containerId, () => this.docker.getNetwork(networkId).connect({ Container: containerId }) as Promise<void>);
  }
}

function engineMessageOf(error: EngineError | undefined): string {
  const json = error?.json as { message?: unknown } | undefined;
  if (json && typeof json.message === "string") return json.message.trim();
  if (Buffer.isBuffer(error?.json)) return error.json.toString("utf8").trim();
  const text = error?.message ?? "";
  // docker-modem formats "(HTTP code 409) conflict - <engine message> ".
  return text.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, "").trim();
}

export function isAbort(error: unknown): boolean {
  const e = error as { name?: string; code?: string } | undefined;
  return e?.name === "AbortError" || e?.code === "ABORT_ERR";
}
