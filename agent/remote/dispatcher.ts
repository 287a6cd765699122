// The node's side of the RPC: serves the control plane's calls and flows from the same `Agent`
// and `AgentProbes` the built-in agent uses. Every frame is validated before it reaches Docker;
// flows send at most the credit the control plane granted, so a slow consumer on the far side
// pauses the Docker stream here instead of filling memory on either end. While the agent's
// organization is suspended (decision 125) it is paused: every call or flow that would change
// something is refused with `agent_paused`, open terminals and pulls end, and reads go on.
import { STATS_RANGES } from "../stats-history";
import { z } from "zod";
import { AgentPausedError, toAgentErrorPayload } from "../errors";
import type { ProxyApplier } from "../nginx/types";
import { DnsCheckSpecSchema, HttpCheckSpecSchema, type DnsCheckSpec, type HttpCheckSpec } from "../checks/types";
import type { AgentProbes } from "../probes";
import type { Agent, ExecOptions, ExecSession, LogEntry } from "../types";
import { FLOW_METHODS, isWriteCommand, MAX_FLOWS, MAX_FRAME_BYTES, RPC_METHODS, WRITE_FLOW_METHODS, type FlowDataFrame, type FlowEndFrame, type FlowMethod, type RpcReply } from "./protocol";

/** The part of a Socket.IO client socket the dispatcher uses. */
export interface DispatchSocket {
  on(event: string, listener: (...args: never[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
}

const containerId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/);
const stopOptions = z.object({ timeoutSeconds: z.number().int().min(0).max(3600).optional() }).strict().optional();
const iso = z.string().max(40);
/** An image id or reference, a volume name, a network id or name. */
const objectRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,511}$/);
const pruneOptions = z.object({ all: z.boolean().optional(), keepLabels: z.array(z.string().max(300)).max(20).optional() }).strict().optional();

const RPC_ARGS: Record<(typeof RPC_METHODS)[number], z.ZodType<unknown[]>> = {
  info: z.tuple([]),
  selfContainers: z.tuple([]),
  listContainers: z.tuple([z.object({ all: z.boolean().optional() }).strict().optional()]),
  inspectContainer: z.tuple([containerId]),
  startContainer: z.tuple([containerId]),
  stopContainer: z.tuple([containerId, stopOptions]),
  restartContainer: z.tuple([containerId, stopOptions]),
  removeContainer: z.tuple([containerId, z.object({ force: z.boolean().optional(), volumes: z.boolean().optional() }).strict().optional()]),
  stats: z.tuple([z.array(containerId).max(1000).optional()]),
  "probes.tcp": z.tuple([z.array(z.object({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) })).max(100), z.number().int().min(1).max(30_000)]),
  "probes.challenge": z.tuple([z.string().min(1).max(253), z.string().regex(/^[A-Za-z0-9_-]{1,128}$/)]),
  "probes.http": z.tuple([HttpCheckSpecSchema]),
  "probes.dns": z.tuple([DnsCheckSpecSchema]),
  "proxy.apply": z.tuple([
    z
      .object({
        // Relative paths inside the tree only: no absolute path, no `..`, nothing outside the prefix.
        files: z.record(z.string().regex(/^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9._/-]{1,200}$/), z.string().max(4 * 1024 * 1024)),
        isolatePrefix: z.string().regex(/^[A-Za-z0-9._-]{1,50}\/$/).optional(),
        fullTest: z.boolean().optional(),
      })
      .strict(),
  ]),
  "proxy.status": z.tuple([]),
  "proxy.problem": z.tuple([]),
  "proxy.testLive": z.tuple([]),
  "proxy.putChallenge": z.tuple([z.string().regex(/^[A-Za-z0-9_-]{1,128}$/), z.string().regex(/^[A-Za-z0-9_.-]{1,512}$/)]),
  "proxy.removeChallenge": z.tuple([z.string().regex(/^[A-Za-z0-9_-]{1,128}$/)]),
  // Images, volumes and networks (docs/decisions/075): the control plane validated the user's
  // input already; here only shapes and safe alphabets, before the engine sees anything.
  listImages: z.tuple([]),
  removeImage: z.tuple([objectRef, z.object({ force: z.boolean().optional() }).strict().optional()]),
  pruneImages: z.tuple([pruneOptions]),
  listVolumes: z.tuple([z.object({ sizes: z.boolean().optional(), sizeTimeoutMs: z.number().int().min(1).max(60_000).optional() }).strict().optional()]),
  removeVolume: z.tuple([objectRef]),
  pruneVolumes: z.tuple([pruneOptions]),
  listNetworks: z.tuple([]),
  createNetwork: z.tuple([
    z
      .object({
        name: objectRef,
        driver: z.literal("bridge"),
        internal: z.boolean().optional(),
        attachable: z.boolean().optional(),
        subnet: z.string().regex(/^[0-9./]{7,18}$/).optional(),
        gateway: z.string().regex(/^[0-9.]{7,15}$/).optional(),
        labels: z.record(z.string().max(200), z.string().max(1000)).optional(),
      })
      .strict(),
  ]),
  removeNetwork: z.tuple([objectRef]),
  statsHistory: z.tuple([z.object({ containerId: containerId.nullable(), range: z.enum(STATS_RANGES) }).strict()]),
};

const logOptions = z
  .object({
    tail: z.union([z.number().int().min(0).max(100_000), z.literal("all")]).optional(),
    since: iso.optional(),
    until: iso.optional(),
    follow: z.boolean().optional(),
    timestamps: z.boolean().optional(),
    stdout: z.boolean().optional(),
    stderr: z.boolean().optional(),
  })
  .strict();

const execOptions = z
  .object({
    cmd: z.array(z.string().max(4096)).min(1).max(64),
    tty: z.boolean().optional(),
    cols: z.number().int().min(1).max(1000).optional(),
    rows: z.number().int().min(1).max(1000).optional(),
    env: z.array(z.string().max(4096)).max(100).optional(),
    user: z.string().max(100).optional(),
    workingDir: z.string().max(4096).optional(),
  })
  .strict();

const FLOW_ARGS: Record<(typeof FLOW_METHODS)[number], z.ZodType<unknown[]>> = {
  logs: z.tuple([containerId, logOptions]),
  events: z.tuple([]),
  subscribeStats: z.tuple([]),
  exec: z.tuple([containerId, execOptions]),
  pullImage: z.tuple([objectRef]),
};

const execInput = z.discriminatedUnion("type", [
  z.object({ flow: z.number().int().min(1), type: z.literal("input"), data: z.string().max(64 * 1024) }),
  z.object({ flow: z.number().int().min(1), type: z.literal("resize"), cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) }),
  z.object({ flow: z.number().int().min(1), type: z.literal("end") }),
]);

const flowOpen = z.object({ flow: z.number().int().min(1), method: z.enum(FLOW_METHODS), args: z.array(z.unknown()).max(4), credit: z.number().int().min(1).max(1024) });
const flowCredit = z.object({ flow: z.number().int().min(1), n: z.number().int().min(1).max(1024) });
const flowCancel = z.object({ flow: z.number().int().min(1) });
const rpcFrame = z.object({ method: z.enum(RPC_METHODS), args: z.array(z.unknown()).max(4) });

interface OpenFlow {
  method: FlowMethod;
  abort: AbortController;
  credit: number;
  wake: (() => void) | null;
  session?: ExecSession;
}

/** What a paused agent answers to a command that would change something. */
export function pausedMessage(reason: string): string {
  return `This agent is paused: ${reason}. It refuses commands that change anything (container actions, proxy changes, terminals) until the suspension is lifted; reading goes on.`;
}

export class AgentDispatcher {
  private readonly flows = new Map<number, OpenFlow>();
  private pausedReason: string | null = null;

  constructor(
    private readonly agent: Agent,
    private readonly probes: AgentProbes,
    private readonly log: (message: string, details?: Record<string, unknown>) => void = () => {},
    /** The node's own nginx, null when this agent does not manage one. */
    private readonly nginx: ProxyApplier | null = null,
  ) {}

  /** Serves one connection; call `closeAll` when it drops. */
  attach(socket: DispatchSocket): void {
    socket.on("rpc", ((frame: unknown, ack: unknown) => void this.call(frame, ack)) as never);
    socket.on("flow:open", ((frame: unknown, ack: unknown) => this.open(socket, frame, ack)) as never);
    socket.on("flow:credit", ((frame: unknown) => {
      const parsed = flowCredit.safeParse(frame);
      const flow = parsed.success ? this.flows.get(parsed.data.flow) : undefined;
      if (!flow || !parsed.success) return;
      flow.credit += parsed.data.n;
      flow.wake?.();
    }) as never);
    socket.on("exec:input", ((frame: unknown, ack: unknown) => {
      const reply = typeof ack === "function" ? (ack as (r: RpcReply) => void) : () => {};
      const parsed = execInput.safeParse(frame);
      const session = parsed.success ? this.flows.get(parsed.data.flow)?.session : undefined;
      if (!parsed.success || !session) return reply({ ok: false, error: { code: "agent_error", message: "No such terminal." } });
      if (this.paused) return reply(this.refusal());
      const f = parsed.data;
      const done = f.type === "input" ? session.write(f.data) : f.type === "resize" ? session.resize(f.cols, f.rows) : session.end();
      done.then(
        () => reply({ ok: true, result: null }),
        (error) => reply({ ok: false, error: toAgentErrorPayload(error) }),
      );
    }) as never);
    socket.on("flow:cancel", ((frame: unknown) => {
      const parsed = flowCancel.safeParse(frame);
      const flow = parsed.success ? this.flows.get(parsed.data.flow) : undefined;
      flow?.abort.abort();
      flow?.wake?.();
    }) as never);
  }

  /** Pauses (a reason) or resumes (null); pausing ends open terminals and image pulls. */
  setPaused(reason: string | null): void {
    this.pausedReason = reason;
    if (reason === null) return;
    for (const flow of this.flows.values()) {
      if (!WRITE_FLOW_METHODS.has(flow.method)) continue;
      flow.abort.abort();
      flow.wake?.();
      void flow.session?.end().catch(() => {});
    }
  }

  get paused(): boolean {
    return this.pausedReason !== null;
  }

  private refusal(): RpcReply {
    return { ok: false, error: toAgentErrorPayload(new AgentPausedError(pausedMessage(this.pausedReason ?? "paused"))) };
  }

  closeAll(): void {
    for (const flow of this.flows.values()) {
      flow.abort.abort();
      flow.wake?.();
    }
    this.flows.clear();
  }

  get openFlows(): number {
    return this.flows.size;
  }

  private async call(frame: unknown, ack: unknown): Promise<void> {
    if (typeof ack !== "function") return;
    const reply = ack as (reply: RpcReply) => void;
    const parsed = rpcFrame.safeParse(frame);
    if (!parsed.success) return reply({ ok: false, error: { code: "agent_error", message: "Malformed call." } });
    const args = RPC_ARGS[parsed.data.method].safeParse(parsed.data.args);
    if (!args.success) return reply({ ok: false, error: { code: "agent_error", message: `Invalid arguments for ${parsed.data.method}.` } });
    if (this.paused && isWriteCommand(parsed.data.method)) {
      this.log("refused a command: the organization is suspended", { method: parsed.data.method });
      return reply(this.refusal());
    }
    try {
      const result = await this.invoke(parsed.data.method, args.data);
      reply({ ok: true, result: result ?? null });
    } catch (error) {
      reply({ ok: false, error: toAgentErrorPayload(error) });
    }
  }

  private invoke(method: (typeof RPC_METHODS)[number], args: unknown[]): Promise<unknown> {
    const a = this.agent as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    if (method === "probes.tcp") return this.probes.tcp(args[0] as { host: string; port: number }[], args[1] as number);
    if (method === "probes.challenge") return this.probes.challenge(args[0] as string, args[1] as string);
    if (method === "probes.http") return this.probes.http(args[0] as HttpCheckSpec);
    if (method === "probes.dns") return this.probes.dns(args[0] as DnsCheckSpec);
    if (method.startsWith("proxy.")) {
      if (!this.nginx) return Promise.reject(new Error("This agent does not manage an nginx (NGINX_MODE=off)."));
      const n = this.nginx as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      return n[method.slice("proxy.".length)]!.apply(this.nginx, args);
    }
    if (method === "selfContainers" && !this.agent.selfContainers) return Promise.resolve({ ids: [], refs: [], project: null });
    return a[method]!.apply(this.agent, args);
  }

  private open(socket: DispatchSocket, frame: unknown, ack: unknown): void {
    const reply = typeof ack === "function" ? (ack as (r: RpcReply) => void) : () => {};
    const parsed = flowOpen.safeParse(frame);
    if (!parsed.success) return reply({ ok: false, error: { code: "agent_error", message: "Malformed flow." } });
    const { flow: id, method, credit } = parsed.data;
    const args = FLOW_ARGS[method].safeParse(parsed.data.args);
    if (!args.success) return reply({ ok: false, error: { code: "agent_error", message: `Invalid arguments for ${method}.` } });
    if (this.paused && isWriteCommand(method)) {
      this.log("refused a command: the organization is suspended", { method });
      return reply(this.refusal());
    }
    if (this.flows.has(id) || this.flows.size >= MAX_FLOWS) return reply({ ok: false, error: { code: "agent_error", message: "Too many open flows." } });
    const flow: OpenFlow = { method, abort: new AbortController(), credit, wake: null };
    this.flows.set(id, flow);
    const signal = flow.abort.signal;
    if (method === "exec") {
      this.agent.exec(args.data[0] as string, args.data[1] as ExecOptions, signal).then(
        (session) => {
          flow.session = session;
          reply({ ok: true, result: { id: session.id, containerId: session.containerId } });
          void this.pump(socket, id, flow, method, session.output);
        },
        (error) => {
          this.flows.delete(id);
          reply({ ok: false, error: toAgentErrorPayload(error) });
        },
      );
      return;
    }
    let source: AsyncIterable<unknown>;
    try {
      source =
        method === "logs"
          ? this.agent.logs(args.data[0] as string, args.data[1] as never, signal)
          : method === "events"
            ? this.agent.events(signal)
            : method === "pullImage"
              ? this.agent.pullImage(args.data[0] as string, signal)
              : this.agent.subscribeStats(signal);
    } catch (error) {
      this.flows.delete(id);
      return reply({ ok: false, error: toAgentErrorPayload(error) });
    }
    reply({ ok: true, result: null });
    void this.pump(socket, id, flow, method, source);
  }

  private async pump(socket: DispatchSocket, id: number, flow: OpenFlow, method: string, source: AsyncIterable<unknown>): Promise<void> {
    let error: unknown = null;
    try {
      for await (const item of source) {
        for (const frameItems of method === "logs" ? splitLogBatch(item as LogEntry[]) : [[item]]) {
          while (flow.credit <= 0 && !flow.abort.signal.aborted) await new Promise<void>((resolve) => (flow.wake = resolve));
          flow.wake = null;
          if (flow.abort.signal.aborted) break;
          flow.credit--;
          socket.emit("flow:data", { flow: id, items: frameItems } satisfies FlowDataFrame);
        }
        if (flow.abort.signal.aborted) break;
      }
    } catch (e) {
      if (!flow.abort.signal.aborted) error = e;
    }
    const exit = flow.session ? await flow.session.exit.catch(() => ({ exitCode: null })) : undefined;
    this.flows.delete(id);
    if (error) this.log("flow failed", { method, error: error instanceof Error ? error.message : String(error) });
    socket.emit("flow:end", { flow: id, ...(error ? { error: toAgentErrorPayload(error) } : {}), ...(exit ? { exit } : {}) } satisfies FlowEndFrame);
  }
}

/** Log batches cut so that each frame stays under MAX_FRAME_BYTES; one item per frame, a batch. */
export function splitLogBatch(batch: LogEntry[]): LogEntry[][][] {
  const frames: LogEntry[][][] = [];
  let current: LogEntry[] = [];
  let bytes = 0;
  for (const entry of batch) {
    const message = entry.message.length > MAX_FRAME_BYTES / 4 ? entry.message.slice(0, MAX_FRAME_BYTES / 4) : entry.message;
    const size = message.length * 3 + 64;
    if (current.length > 0 && bytes + size > MAX_FRAME_BYTES) {
      frames.push([current]);
      current = [];
      bytes = 0;
    }
    current.push(message === entry.message ? entry : { ...entry, message });
    bytes += size;
  }
  if (current.length > 0) frames.push([current]);
  return frames;
}
