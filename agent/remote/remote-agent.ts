// The control plane's side of the RPC: a RemoteAgent implements the Agent interface and the
// agent's probes over one authenticated socket of the `/agent` namespace. Calls wait for an ack
// with a timeout; streams are flows with an id, a credit window the consumer's pace refills, and
// a cancel when the consumer leaves. One RemoteAgent per agent id outlives its connections: each
// new authenticated socket is attached to it, so a live feed that holds it carries on after a
// reconnect. Without a socket every call fails at once with AgentOfflineError (503
// `agent_offline`) and every open stream ends with it. While the agent's organization is suspended
// (decision 125) the control plane marks it paused and sends it no command that changes anything:
// such calls fail here with `agent_paused`, before the wire (the node refuses them too).
import { z } from "zod";
import { AgentOfflineError, AgentPausedError, agentErrorFromPayload, type AgentErrorPayload } from "../errors";
import type { CheckResult, DnsCheckSpec, HttpCheckSpec } from "../checks/types";
import type { AgentProbes, ChallengeProbeResult, TcpProbeResult } from "../probes";
import type {
  Agent,
  AgentInfo,
  ContainerDetail,
  ContainerEvent,
  ContainerStats,
  ContainerSummary,
  ExecOptions,
  ExecOutput,
  ExecSession,
  ListContainersOptions,
  LogEntry,
  LogOptions,
  RemoveOptions,
  SelfContainers,
  StatsUpdate,
  StopOptions,
} from "../types";
import { AsyncQueue } from "../async-queue";
import type { StatsHistorySeries, StatsRange } from "../stats-history";
import type { CreateNetworkOptions, ImageSummary, NetworkSummary, PruneOptions, PruneResult, PullProgress, RemoveImageOptions, VolumeSummary } from "../resource-types";
import type { NginxApplyProgress, NginxApplyRequest, NginxApplyResult, NginxStatus, ProxyApplier } from "../nginx/types";
import { CALL_TIMEOUT_MS, FLOW_WINDOW, isWriteCommand, type FlowMethod, type RpcMethod, type RpcReply } from "./protocol";

/** The part of a Socket.IO server socket a RemoteAgent uses. */
export interface AgentChannel {
  readonly connected: boolean;
  emit(event: string, ...args: unknown[]): unknown;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
}

const errorPayload = z.object({ code: z.string().max(40), message: z.string().max(4000) }).passthrough();
const logEntries = z.array(z.object({ time: z.string().max(40).nullable(), stream: z.enum(["stdout", "stderr"]), message: z.string() }).strict()).max(100_000);
const containerEvent = z.object({ time: z.string().max(40), action: z.string().max(64), id: z.string().max(128) }).passthrough();
const statsUpdate = z.union([
  // `host`: the node's own CPU and memory with the round (decision 105).
  z.object({ stats: z.array(z.object({ id: z.string().max(128) }).passthrough()).max(10_000), host: z.object({ time: z.string().max(40) }).passthrough().nullable().optional() }).strict(),
  z.object({ error: errorPayload }).strict(),
]);

/** Validates one item of a flow, per method; anything else is dropped (and counted). */
const execOutput = z.object({ stream: z.enum(["stdout", "stderr"]), data: z.string() }).strict();
const pullProgress = z.object({ status: z.string().max(1000), layer: z.string().max(200).nullable(), current: z.number().nullable(), total: z.number().nullable() }).strict();
const FLOW_ITEM: Record<FlowMethod, z.ZodType<unknown>> = { logs: logEntries, events: containerEvent, subscribeStats: statsUpdate, exec: execOutput, pullImage: pullProgress };
const execExit = z.object({ exitCode: z.number().int().nullable() });

interface FlowState {
  method: FlowMethod;
  queue: AsyncQueue<unknown>;
  /** Exec flows: resolves the session's `exit`. */
  onExit?: (exit: { exitCode: number | null }) => void;
}

export class RemoteAgent implements Agent, AgentProbes {
  private readonly flows = new Map<number, FlowState>();
  private nextFlow = 1;
  private channel: AgentChannel | null = null;
  private offlineReason: string | null = "not connected";
  private pausedReason: string | null = null;
  /** Frames refused by validation (wrong shape, unknown flow): logged by the connection. */
  droppedFrames = 0;

  constructor(
    private label: string,
    private readonly onDrop: (reason: string) => void = () => {},
  ) {}

  // ── wiring, called by the /agent namespace for frames of this socket ──

  /** A newly authenticated socket of this agent (the previous one, if any, is dropped first). */
  attach(channel: AgentChannel, label = this.label): void {
    if (this.channel) this.disconnected(this.channel, "replaced by a newer connection");
    this.channel = channel;
    this.label = label;
    this.offlineReason = null;
  }

  /** Marks the agent paused (a reason: its organization is suspended) or not (null). */
  setPaused(reason: string | null): void {
    this.pausedReason = reason;
  }

  get paused(): boolean {
    return this.pausedReason !== null;
  }

  /** The `agent_paused` refusal of a command that changes something while paused, else null. */
  private pausedRefusal(method: RpcMethod | FlowMethod): AgentPausedError | null {
    if (this.pausedReason === null || !isWriteCommand(method)) return null;
    return new AgentPausedError(`The agent ${this.label} is paused: ${this.pausedReason}. Nothing on it can be changed until the suspension is lifted.`);
  }

  private refuseIfPaused(method: RpcMethod | FlowMethod): void {
    const refusal = this.pausedRefusal(method);
    if (refusal) throw refusal;
  }

  get online(): boolean {
    return this.channel !== null && this.channel.connected;
  }

  /** A `flow:data` frame from the agent: only for a flow this side opened on this socket. */
  receiveData(frame: unknown, from?: AgentChannel): void {
    if (from && from !== this.channel) return this.drop("frame from a replaced connection");
    const f = frame as { flow?: unknown; items?: unknown } | null;
    const flow = typeof f?.flow === "number" ? this.flows.get(f.flow) : undefined;
    if (!flow || !Array.isArray(f?.items) || f.items.length > 64) return this.drop("frame for no open flow, or malformed");
    for (const item of f.items) {
      if (!FLOW_ITEM[flow.method].safeParse(item).success) return this.drop(`malformed ${flow.method} item`);
      flow.queue.push(item);
    }
  }

  receiveEnd(frame: unknown, from?: AgentChannel): void {
    if (from && from !== this.channel) return;
    const f = frame as { flow?: unknown; error?: unknown } | null;
    const flow = typeof f?.flow === "number" ? this.flows.get(f.flow) : undefined;
    if (!flow) return;
    this.flows.delete(f!.flow as number);
    const exit = execExit.safeParse((f as { exit?: unknown }).exit);
    flow.onExit?.(exit.success ? exit.data : { exitCode: null });
    const error = errorPayload.safeParse(f?.error);
    flow.queue.end(f?.error === undefined ? undefined : agentErrorFromPayload((error.success ? error.data : { code: "agent_error", message: "The agent ended the stream with an error." }) as AgentErrorPayload));
  }

  /** The socket is gone: fail everything in flight and everything after, until the next attach. */
  disconnected(channel: AgentChannel, reason: string): void {
    if (channel !== this.channel) return;
    this.channel = null;
    this.offlineReason = reason;
    for (const flow of this.flows.values()) {
      flow.queue.end(this.offline());
      flow.onExit?.({ exitCode: null });
    }
    this.flows.clear();
  }

  private drop(reason: string): void {
    this.droppedFrames++;
    this.onDrop(reason);
  }

  private offline(): AgentOfflineError {
    return new AgentOfflineError(`The agent ${this.label} is offline${this.offlineReason ? ` (${this.offlineReason})` : ""}.`);
  }

  // ── calls ──

  private async call<T>(method: RpcMethod, args: unknown[], timeoutMs = CALL_TIMEOUT_MS): Promise<T> {
    this.refuseIfPaused(method);
    const channel = this.channel;
    if (!channel || !channel.connected) throw this.offline();
    let reply: RpcReply<T>;
    try {
      reply = (await channel.timeout(timeoutMs).emitWithAck("rpc", { method, args })) as RpcReply<T>;
    } catch {
      if (this.channel !== channel || !channel.connected) throw this.offline();
      throw new AgentOfflineError(`The agent ${this.label} did not answer ${method} within ${Math.round(timeoutMs / 1000)} s.`);
    }
    if (!reply || typeof reply !== "object") throw new AgentOfflineError(`The agent ${this.label} sent a malformed answer.`);
    if (reply.ok) return reply.result;
    const error = errorPayload.safeParse(reply.error);
    throw agentErrorFromPayload((error.success ? error.data : { code: "agent_error", message: "The agent failed." }) as AgentErrorPayload);
  }

  info(): Promise<AgentInfo> {
    return this.call("info", [], 5_000);
  }
  selfContainers(): Promise<SelfContainers> {
    return this.call("selfContainers", []);
  }
  listContainers(options?: ListContainersOptions): Promise<ContainerSummary[]> {
    return this.call("listContainers", options === undefined ? [] : [options]);
  }
  inspectContainer(id: string): Promise<ContainerDetail> {
    return this.call("inspectContainer", [id]);
  }
  startContainer(id: string): Promise<void> {
    return this.call("startContainer", [id]);
  }
  stopContainer(id: string, options?: StopOptions): Promise<void> {
    return this.call("stopContainer", options === undefined ? [id] : [id, options], 120_000);
  }
  restartContainer(id: string, options?: StopOptions): Promise<void> {
    return this.call("restartContainer", options === undefined ? [id] : [id, options], 120_000);
  }
  removeContainer(id: string, options?: RemoveOptions): Promise<void> {
    return this.call("removeContainer", options === undefined ? [id] : [id, options], 120_000);
  }
  stats(ids?: string[]): Promise<ContainerStats[]> {
    return this.call("stats", ids === undefined ? [] : [ids]);
  }
  tcp(targets: { host: string; port: number }[], timeoutMs: number): Promise<TcpProbeResult[]> {
    return this.call("probes.tcp", [targets, timeoutMs], timeoutMs + 5_000);
  }
  challenge(domain: string, token: string): Promise<ChallengeProbeResult> {
    return this.call("probes.challenge", [domain, token], 15_000);
  }
  http(spec: HttpCheckSpec): Promise<CheckResult> {
    return this.call("probes.http", [spec], spec.timeoutMs + 5_000);
  }
  dns(spec: DnsCheckSpec): Promise<CheckResult> {
    return this.call("probes.dns", [spec], spec.timeoutMs + 5_000);
  }

  // Images, volumes and networks (decision 075): the same calls as the built-in agent's.
  listImages(): Promise<ImageSummary[]> {
    return this.call("listImages", []);
  }
  removeImage(id: string, options?: RemoveImageOptions): Promise<string[]> {
    return this.call("removeImage", options === undefined ? [id] : [id, options], 120_000);
  }
  pruneImages(options?: PruneOptions): Promise<PruneResult> {
    return this.call("pruneImages", options === undefined ? [] : [options], 300_000);
  }
  listVolumes(options?: { sizes?: boolean; sizeTimeoutMs?: number }): Promise<VolumeSummary[]> {
    return this.call("listVolumes", options === undefined ? [] : [options], (options?.sizeTimeoutMs ?? 0) + CALL_TIMEOUT_MS);
  }
  removeVolume(name: string): Promise<void> {
    return this.call("removeVolume", [name], 120_000);
  }
  pruneVolumes(options?: PruneOptions): Promise<PruneResult> {
    return this.call("pruneVolumes", options === undefined ? [] : [options], 300_000);
  }
  listNetworks(): Promise<NetworkSummary[]> {
    return this.call("listNetworks", []);
  }
  createNetwork(options: CreateNetworkOptions): Promise<NetworkSummary> {
    return this.call("createNetwork", [options]);
  }
  removeNetwork(id: string): Promise<void> {
    return this.call("removeNetwork", [id]);
  }
  statsHistory(query: { containerId: string | null; range: StatsRange }): Promise<StatsHistorySeries> {
    return this.call("statsHistory", [query]);
  }
  pullImage(reference: string, signal?: AbortSignal): AsyncIterable<PullProgress> {
    return this.flow<PullProgress>("pullImage", [reference], signal);
  }

  // ── flows ──

  private flow<T>(method: FlowMethod, args: unknown[], signal?: AbortSignal): AsyncIterable<T> {
    const id = this.nextFlow++;
    const queue = new AsyncQueue<unknown>({ highWaterMark: FLOW_WINDOW * 4 });
    const channel = this.channel;
    const flows = this.flows;
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      if (flows.delete(id) && channel?.connected) channel.emit("flow:cancel", { flow: id });
    };
    const refusal = this.pausedRefusal(method);
    if (refusal) {
      queue.end(refusal);
    } else if (!channel || !channel.connected) {
      queue.end(this.offline());
    } else {
      this.flows.set(id, { method, queue });
      channel
        .timeout(CALL_TIMEOUT_MS)
        .emitWithAck("flow:open", { flow: id, method, args, credit: FLOW_WINDOW })
        .then(
          (reply) => {
            const r = reply as RpcReply;
            if (r?.ok) return;
            this.flows.delete(id);
            const error = errorPayload.safeParse(r && !r.ok ? r.error : undefined);
            queue.end(agentErrorFromPayload((error.success ? error.data : { code: "agent_error", message: "The agent refused the stream." }) as AgentErrorPayload));
          },
          () => {
            this.flows.delete(id);
            queue.end(this.offline());
          },
        );
    }
    signal?.addEventListener("abort", () => {
      finish();
      queue.end();
    }, { once: true });
    return credited<T>(id, queue, channel, flows, finish);
  }

  logs(id: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogEntry[]> {
    return this.flow<LogEntry[]>("logs", [id, options], signal);
  }
  events(signal?: AbortSignal): AsyncIterable<ContainerEvent> {
    return this.flow<ContainerEvent>("events", [], signal);
  }
  subscribeStats(signal?: AbortSignal): AsyncIterable<StatsUpdate> {
    return this.flow<StatsUpdate>("subscribeStats", [], signal);
  }

  /** The node's nginx, driven by calls: the tree is rendered here, tested, swapped and reloaded there. */
  readonly proxies: ProxyApplier = {
    apply: (request: NginxApplyRequest, _onProgress?: (progress: NginxApplyProgress) => void) => this.call<NginxApplyResult>("proxy.apply", [request], 180_000),
    status: () => this.call<NginxStatus>("proxy.status", []),
    problem: () => this.call<string | null>("proxy.problem", []),
    testLive: () => this.call<{ ok: boolean; output: string; durationMs: number }>("proxy.testLive", [], 60_000),
    putChallenge: (token: string, keyAuthorization: string) => this.call<void>("proxy.putChallenge", [token, keyAuthorization]),
    removeChallenge: (token: string) => this.call<void>("proxy.removeChallenge", [token]),
    // The node's nginx serves on without the control plane; stopping it is the node's business.
    stop: async () => {},
  };

  /** A terminal: its output is a flow, its input acked `exec:input` frames, its exit the flow's end. */
  async exec(id: string, options: ExecOptions, signal?: AbortSignal): Promise<ExecSession> {
    this.refuseIfPaused("exec");
    const channel = this.channel;
    if (!channel || !channel.connected) throw this.offline();
    const flowId = this.nextFlow++;
    const flows = this.flows;
    const queue = new AsyncQueue<unknown>({ highWaterMark: FLOW_WINDOW * 4 });
    let resolveExit!: (exit: { exitCode: number | null }) => void;
    const exit = new Promise<{ exitCode: number | null }>((resolve) => (resolveExit = resolve));
    flows.set(flowId, { method: "exec", queue, onExit: resolveExit });
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      if (flows.delete(flowId) && channel.connected) channel.emit("flow:cancel", { flow: flowId });
      resolveExit({ exitCode: null });
    };
    let reply: RpcReply<{ id: string; containerId: string }>;
    try {
      reply = (await channel.timeout(CALL_TIMEOUT_MS).emitWithAck("flow:open", { flow: flowId, method: "exec", args: [id, options], credit: FLOW_WINDOW })) as RpcReply<{ id: string; containerId: string }>;
    } catch {
      flows.delete(flowId);
      throw this.offline();
    }
    if (!reply?.ok) {
      flows.delete(flowId);
      const error = errorPayload.safeParse(reply && !reply.ok ? reply.error : undefined);
      throw agentErrorFromPayload((error.success ? error.data : { code: "agent_error", message: "The agent refused the terminal." }) as AgentErrorPayload);
    }
    signal?.addEventListener("abort", () => {
      finish();
      queue.end();
    }, { once: true });
    const send = async (frame: { type: "input"; data: string } | { type: "resize"; cols: number; rows: number } | { type: "end" }) => {
      if (frame.type !== "end") this.refuseIfPaused("exec");
      if (!channel.connected) throw this.offline();
      const r = (await channel.timeout(10_000).emitWithAck("exec:input", { flow: flowId, ...frame }).catch(() => null)) as RpcReply | null;
      if (!r) throw this.offline();
      if (!r.ok) throw agentErrorFromPayload(r.error);
    };
    return {
      id: String(reply.result.id),
      containerId: String(reply.result.containerId),
      write: (data) => send({ type: "input", data }),
      resize: (cols, rows) => send({ type: "resize", cols, rows }),
      end: () => send({ type: "end" }),
      output: credited<ExecOutput>(flowId, queue, channel, flows, finish),
      exit,
    };
  }

  /** The agent's connections are owned by the /agent namespace; closing a view of it does nothing. */
  async close(): Promise<void> {}
}

/** A flow's items for its consumer; each item taken is credit given back, in half-window steps. */
function credited<T>(id: number, queue: AsyncQueue<unknown>, channel: AgentChannel | null, flows: Map<number, FlowState>, finish: () => void): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      let taken = 0;
      try {
        for await (const item of queue) {
          yield item as T;
          if (++taken >= FLOW_WINDOW / 2 && flows.has(id) && channel?.connected) {
            channel.emit("flow:credit", { flow: id, n: taken });
            taken = 0;
          }
        }
      } finally {
        finish();
      }
    },
  };
}
