// The wire protocol between the control plane's `/agent` namespace and the standalone agent
// (agent/main.ts), shared by both ends. Plain JSON over Socket.IO; see
// docs/decisions/080-remote-agent-protocol.md for the whole exchange.
//
//   control plane → agent            agent → control plane
//   challenge {nonce}                 auth {agentId, signature, hello} (ack: AuthReply)
//   rpc {method, args} (ack: RpcReply)
//   flow:open {flow, method, args, credit} (ack: RpcReply)
//   flow:credit {flow, n}             flow:data {flow, items}
//   flow:cancel {flow}                flow:end {flow, error?, exit?}
//   exec:input {flow, type, …} (ack: RpcReply)
//   hb {t} (ack: {t})
//   revoked {reason}                  (then the control plane disconnects)
//   org:suspension {paused, reason?}  (the organization was suspended or unsuspended, decision 125)
import { createHash } from "node:crypto";
import type { AgentErrorPayload } from "../errors";
import type { AgentFacts } from "../host";

export const PROTOCOL_VERSION = 1;
export const AGENT_NAMESPACE = "/agent";

/** What the agent signs: a domain tag, its id and the connection's fresh nonce. */
export function authMessage(agentId: string, nonce: string): Buffer {
  return Buffer.from(`infrapilot-agent-auth:v${PROTOCOL_VERSION}\n${agentId}\n${nonce}`, "utf8");
}

/** The agent keeps the hash of the enrollment secret it used, to know a new one when it sees it. */
export function tokenFingerprint(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export interface AgentHello {
  version: string;
  hostname: string;
  facts: AgentFacts;
}

export interface AuthFrame {
  agentId: string;
  /** Ed25519 signature of authMessage(agentId, nonce), base64. */
  signature: string;
  hello: AgentHello;
}

/**
 * `revoked`: an administrator deleted or revoked the agent; it must stop and never retry with
 * these credentials. `unknown_agent`: the control plane has no such agent (its row is gone);
 * the agent may enroll again with a still-valid token. `bad_signature`: the proof failed.
 */
export type AuthRefusal = "revoked" | "unknown_agent" | "bad_signature" | "bad_frame" | "timeout";

/**
 * `paused`: the agent's organization is suspended at connect time (decision 125); the agent refuses
 * every command that changes something until an `org:suspension {paused: false}` frame, or a later
 * connection's reply without it. Absent or null: not paused.
 */
export type AuthReply = { ok: true; agentId: string; name: string; paused?: { reason: string } | null } | { ok: false; code: AuthRefusal; message: string };

export type RpcReply<T = unknown> = { ok: true; result: T } | { ok: false; error: AgentErrorPayload };

/** Request/response calls the agent serves. */
export const RPC_METHODS = [
  "info",
  "selfContainers",
  "listContainers",
  "inspectContainer",
  "startContainer",
  "stopContainer",
  "restartContainer",
  "removeContainer",
  "stats",
  "probes.tcp",
  "probes.challenge",
  "probes.http",
  "probes.dns",
  "proxy.apply",
  "proxy.status",
  "proxy.problem",
  "proxy.testLive",
  "proxy.putChallenge",
  "proxy.removeChallenge",
  "listImages",
  "removeImage",
  "pruneImages",
  "listVolumes",
  "removeVolume",
  "pruneVolumes",
  "listNetworks",
  "createNetwork",
  "removeNetwork",
  "statsHistory",
] as const;
export type RpcMethod = (typeof RPC_METHODS)[number];

/** Streams the agent serves as flows. */
export const FLOW_METHODS = ["logs", "events", "subscribeStats", "exec", "pullImage"] as const;
export type FlowMethod = (typeof FLOW_METHODS)[number];

/**
 * The calls and flows that change something on the node (containers, engine objects, nginx, a
 * terminal): what a paused agent refuses, and what the control plane does not send to one
 * (decision 125). Everything else only reads, and keeps working while paused.
 */
export const WRITE_RPC_METHODS: ReadonlySet<RpcMethod> = new Set<RpcMethod>([
  "startContainer",
  "stopContainer",
  "restartContainer",
  "removeContainer",
  "proxy.apply",
  "proxy.putChallenge",
  "proxy.removeChallenge",
  "removeImage",
  "pruneImages",
  "removeVolume",
  "pruneVolumes",
  "createNetwork",
  "removeNetwork",
]);
export const WRITE_FLOW_METHODS: ReadonlySet<FlowMethod> = new Set<FlowMethod>(["exec", "pullImage"]);

/** Pure: whether a call or flow changes something on the node. */
export function isWriteCommand(method: RpcMethod | FlowMethod): boolean {
  return WRITE_RPC_METHODS.has(method as RpcMethod) || WRITE_FLOW_METHODS.has(method as FlowMethod);
}

/** control plane → agent: the organization was suspended (`paused: true`) or the suspension lifted. */
export const SUSPENSION_EVENT = "org:suspension";
export interface SuspensionFrame {
  paused: boolean;
  /** Why, for the node's log (at most 500 characters). */
  reason?: string;
}
export const SUSPENDED_REASON = "its organization is suspended by the service operator";

export interface FlowOpenFrame {
  flow: number;
  method: FlowMethod;
  args: unknown[];
  /** How many `flow:data` frames the agent may send before it waits for `flow:credit`. */
  credit: number;
}
export interface FlowDataFrame {
  flow: number;
  items: unknown[];
}
export interface FlowEndFrame {
  flow: number;
  error?: AgentErrorPayload;
  /** An exec flow ends with its process's exit. */
  exit?: { exitCode: number | null };
}

/** Input of an exec flow (control plane → agent, acked): keystrokes, a resize, or stdin's end. */
export type ExecInputFrame = { flow: number; type: "input"; data: string } | { flow: number; type: "resize"; cols: number; rows: number } | { flow: number; type: "end" };

/** Frames a flow starts with; the control plane grants more as its consumer takes them. */
export const FLOW_WINDOW = 16;
/** Flows one connection may hold open at once. */
export const MAX_FLOWS = 256;
/** A `flow:data` frame the agent builds stays under this many bytes of JSON (the transport refuses 1 MB). */
export const MAX_FRAME_BYTES = 256 * 1024;
/** How often the control plane asks (an answer is due within half of it); two missed answers and
 *  the connection is closed, so a silent node is offline within 25 s. */
export const HEARTBEAT_MS = 10_000;
export const CALL_TIMEOUT_MS = 30_000;
