// The standalone agent's connection to the control plane: enrollment (once, or again when the
// control plane says the credentials are gone and a still-valid token is configured), then a
// Socket.IO client on the `/agent` namespace that proves its key on every connection, answers
// heartbeats and serves RPC through the dispatcher. It reconnects with jittered, capped
// exponential backoff, moving to the next URL of AGENT_SERVER_URL after each failure, and stops
// for good (exit code 3) when an administrator revoked or deleted it. While its organization is
// suspended it is paused (decision 125): told so in the proof-of-identity reply at connect time and
// by `org:suspension` frames after, it refuses commands that change anything and keeps answering
// heartbeats and reads.
import { hostname as osHostname } from "node:os";
import { io, type Socket } from "socket.io-client";
import { z } from "zod";
import type { AgentFacts } from "../host";
import { AgentDispatcher } from "./dispatcher";
import { AgentIdentity } from "./identity";
import { AGENT_NAMESPACE, SUSPENDED_REASON, SUSPENSION_EVENT, tokenFingerprint, type AuthReply, type AuthRefusal } from "./protocol";
import type { Agent } from "../types";
import type { AgentProbes } from "../probes";
import type { ProxyApplier } from "../nginx/types";

export interface AgentClientOptions {
  serverUrls: string[];
  token: string | null;
  dataDir: string;
  name?: string;
  version: string;
  agent: Agent;
  probes: AgentProbes;
  facts: AgentFacts;
  nginx?: ProxyApplier | null;
  backoff?: { baseMs: number; maxMs: number };
  log: (level: "info" | "warn" | "error", message: string, details?: Record<string, unknown>) => void;
}

/** Pure: the n-th retry delay, full jitter between half and all of the capped exponential step. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + random() * (step / 2));
}

const suspensionFrame = z.object({ paused: z.boolean(), reason: z.string().max(500).optional() }).strict();
const pausedInReply = z.object({ reason: z.string().max(500) }).nullable().optional();

export class FatalAgentError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export class AgentClient {
  private readonly identity: AgentIdentity;
  private readonly dispatcher: AgentDispatcher;
  private socket: Socket | null = null;
  private urlIndex = 0;
  private attempt = 0;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private finish!: (error: FatalAgentError | null) => void;
  private pausedReason: string | null = null;
  /** Resolves when the client stopped (null) or gave up for good. */
  readonly done: Promise<FatalAgentError | null>;

  constructor(private readonly options: AgentClientOptions) {
    this.identity = new AgentIdentity(options.dataDir);
    this.dispatcher = new AgentDispatcher(options.agent, options.probes, (m, d) => options.log("warn", m, d), options.nginx ?? null);
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  async start(): Promise<void> {
    try {
      await this.ensureEnrolled();
      this.connect();
    } catch (error) {
      this.fail(error);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.dispatcher.closeAll();
    this.socket?.disconnect();
    this.finish(null);
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.dispatcher.closeAll();
    this.socket?.disconnect();
    const fatal = error instanceof FatalAgentError ? error : new FatalAgentError(error instanceof Error ? error.message : String(error), 1);
    this.options.log("error", fatal.message);
    this.finish(fatal);
  }

  /** Whether the agent is paused because its organization is suspended. */
  get paused(): boolean {
    return this.pausedReason !== null;
  }

  /** Pauses (a reason) or resumes (null) the dispatcher; the log says so when the state changes. */
  private setPaused(reason: string | null): void {
    const was = this.pausedReason;
    this.pausedReason = reason;
    this.dispatcher.setPaused(reason);
    if (reason !== null && was === null) {
      this.options.log("warn", `paused: ${reason}. Commands that change anything (container actions, proxy changes, terminals) are refused until the suspension is lifted; heartbeats and reading go on.`);
    } else if (reason === null && was !== null) {
      this.options.log("info", "resumed: the organization's suspension was lifted; commands are carried out again");
    }
  }

  private get url(): string {
    return this.options.serverUrls[this.urlIndex % this.options.serverUrls.length]!.replace(/\/$/, "");
  }

  /** Enrolls when there is no agent id yet, or when a revoked agent was given a new token. */
  private async ensureEnrolled(): Promise<void> {
    const token = this.options.token;
    const revoked = this.identity.revoked();
    if (revoked) {
      if (!token || tokenFingerprint(token) === revoked.token) {
        throw new FatalAgentError(`This agent was revoked (${revoked.reason}) at ${revoked.at}; not connecting. Enroll it again with a new token (AGENT_TOKEN).`, 3);
      }
      this.options.log("info", "a new enrollment token is configured; enrolling again");
      this.identity.forget();
    }
    if (this.identity.state()) return;
    if (!token) throw new FatalAgentError("This agent is not enrolled: set AGENT_TOKEN to an enrollment token from InfraPilot (Agents page).", 2);
    await this.enroll(token);
  }

  private async enroll(token: string): Promise<void> {
    const hostname = osHostname().replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 253) || "node";
    const body = JSON.stringify({ token, publicKey: this.identity.publicKeyPem(), hostname, ...(this.options.name ? { name: this.options.name } : {}) });
    for (let tries = 0; ; tries++) {
      const url = this.url;
      let res: Response;
      try {
        res = await fetch(`${url}/api/v1/agents/enroll`, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(15_000) });
      } catch (error) {
        this.urlIndex++;
        const delay = backoffDelay(tries, this.options.backoff?.baseMs ?? 1000, this.options.backoff?.maxMs ?? 30_000);
        this.options.log("warn", "enrollment: control plane not reachable; trying again", { url, error: error instanceof Error ? error.message : String(error), retryInMs: delay });
        await new Promise((r) => setTimeout(r, delay));
        if (this.stopped) throw new FatalAgentError("stopped", 0);
        continue;
      }
      const answer = (await res.json().catch(() => null)) as { agentId?: string; name?: string; error?: { message?: string } } | null;
      if (res.status === 201 && answer?.agentId) {
        this.identity.saveState({ agentId: answer.agentId, name: answer.name ?? hostname, enrolledWith: tokenFingerprint(token), enrolledAt: new Date().toISOString() });
        this.options.log("info", "enrolled", { agentId: answer.agentId, name: answer.name, url });
        return;
      }
      if (res.status === 401 || res.status === 400 || res.status === 404) {
        throw new FatalAgentError(`Enrollment refused (${res.status}): ${answer?.error?.message ?? "no reason given"}`, 2);
      }
      const delay = backoffDelay(tries, this.options.backoff?.baseMs ?? 1000, this.options.backoff?.maxMs ?? 30_000);
      if (res.status === 402) {
        // The organization's plan has no room for another agent: it may get some (an agent removed, a larger plan).
        this.options.log("warn", `enrollment refused by the organization's plan: ${answer?.error?.message ?? "no more agents allowed"} Trying again later.`, { status: 402, retryInMs: delay });
      } else {
        this.options.log("warn", "enrollment failed; trying again", { status: res.status, retryInMs: delay });
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const state = this.identity.state()!;
    const url = this.url;
    const socket = io(`${url}${AGENT_NAMESPACE}`, { transports: ["websocket"], reconnection: false, timeout: 10_000, forceNew: true });
    this.socket = socket;
    let authenticated = false;
    let settled = false;
    const retry = (why: string) => {
      if (settled) return;
      settled = true;
      this.dispatcher.closeAll();
      socket.removeAllListeners();
      socket.disconnect();
      if (this.stopped) return;
      if (!authenticated) this.urlIndex++;
      const delay = backoffDelay(this.attempt++, this.options.backoff?.baseMs ?? 500, this.options.backoff?.maxMs ?? 30_000);
      this.options.log("warn", "disconnected from the control plane; reconnecting", { url, reason: why, retryInMs: delay, next: this.url });
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
    const refused = (code: AuthRefusal, message: string) => {
      settled = true;
      socket.removeAllListeners();
      socket.disconnect();
      this.dispatcher.closeAll();
      void this.refused(code, message);
    };
    socket.on("challenge", async (frame: { nonce?: unknown }) => {
      if (typeof frame?.nonce !== "string") return retry("malformed challenge");
      const reply = (await socket
        .timeout(15_000)
        .emitWithAck("auth", { agentId: state.agentId, signature: this.identity.sign(state.agentId, frame.nonce), hello: { version: this.options.version, hostname: osHostname().slice(0, 253), facts: this.options.facts } })
        .catch(() => null)) as AuthReply | null;
      if (!reply) return retry("no answer to the proof of identity");
      if (!reply.ok) return refused(reply.code, reply.message);
      authenticated = true;
      this.attempt = 0;
      this.options.log("info", "connected to the control plane", { url, agentId: state.agentId, name: reply.name });
      // Told at connect time whether the organization is suspended (also after a resume it missed).
      const paused = pausedInReply.safeParse(reply.paused);
      // A reply whose `paused` does not parse pauses: refusing is the safe side.
      this.setPaused(!paused.success ? SUSPENDED_REASON : paused.data ? paused.data.reason || SUSPENDED_REASON : null);
    });
    socket.on(SUSPENSION_EVENT, (frame: unknown) => {
      const parsed = suspensionFrame.safeParse(frame);
      if (!parsed.success) return this.options.log("warn", "malformed suspension frame ignored");
      this.setPaused(parsed.data.paused ? parsed.data.reason || SUSPENDED_REASON : null);
    });
    socket.on("hb", (frame: { t?: number }, ack?: (r: unknown) => void) => ack?.({ t: frame?.t ?? null, at: Date.now() }));
    socket.on("revoked", (frame: { reason?: string }) => refused("revoked", String(frame?.reason ?? "revoked by an administrator").slice(0, 500)));
    socket.on("refused", (frame: { code?: AuthRefusal; message?: string }) => refused(frame?.code ?? "bad_frame", String(frame?.message ?? "").slice(0, 500)));
    this.dispatcher.attach(socket as never);
    socket.on("connect_error", (error) => retry(`connect error: ${error.message}`));
    socket.on("disconnect", (reason) => retry(`disconnect: ${reason}`));
  }

  private async refused(code: AuthRefusal, message: string): Promise<void> {
    if (code === "revoked") {
      this.identity.markRevoked({ reason: message, at: new Date().toISOString(), token: this.options.token ? tokenFingerprint(this.options.token) : null });
      return this.fail(new FatalAgentError(`The control plane revoked this agent: ${message} Not reconnecting.`, 3));
    }
    if (code === "unknown_agent" || code === "bad_signature") {
      const token = this.options.token;
      this.options.log("warn", "the control plane does not accept this agent's credentials", { code, reason: message });
      if (!token) return this.fail(new FatalAgentError(`The control plane does not know this agent any more (${message}) and no AGENT_TOKEN is configured to enroll again.`, 3));
      this.identity.forget();
      try {
        await this.enroll(token);
      } catch (error) {
        return this.fail(error);
      }
      this.attempt = 0;
      return this.connect();
    }
    // bad_frame, timeout: a bug or a slow start; try again later.
    this.options.log("warn", "connection refused; retrying", { code, reason: message });
    const delay = backoffDelay(this.attempt++, this.options.backoff?.baseMs ?? 500, this.options.backoff?.maxMs ?? 30_000);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
