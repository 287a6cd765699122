// Errors every Agent implementation throws. They carry a stable `code` so a
// RemoteAgent can send them over the wire (toAgentErrorPayload) and rebuild the
// same class on the server side (agentErrorFromPayload); domain code maps the
// codes to HTTP statuses (not found → 404, state → 409, unreachable → 503).

export type AgentErrorCode =
  | "container_not_found"
  | "container_state"
  | "docker_unreachable"
  | "agent_offline"
  | "resource_not_found"
  | "resource_conflict"
  | "agent_paused"
  | "agent_error";

export class AgentError extends Error {
  readonly code: AgentErrorCode = "agent_error";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ContainerNotFoundError extends AgentError {
  override readonly code = "container_not_found" as const;
  constructor(readonly containerId: string) {
    super(`No such container: ${containerId}`);
  }
}

/** The container exists but is in a state where the operation makes no sense. */
export class ContainerStateError extends AgentError {
  override readonly code = "container_state" as const;
  constructor(
    readonly containerId: string,
    message: string,
  ) {
    super(message);
  }
}

export class DockerUnreachableError extends AgentError {
  override readonly code = "docker_unreachable" as const;
  constructor(
    readonly address: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Docker engine not reachable at ${address}: ${reason}`, options);
  }
}

/** A remote agent that is not connected, went away during the call, or did not answer in time. */
export class AgentOfflineError extends AgentError {
  override readonly code = "agent_offline" as const;
  constructor(message: string) {
    super(message);
  }
}

/** SaaS: the agent's organization is suspended; it refuses what would change something (decision 125). */
export class AgentPausedError extends AgentError {
  override readonly code = "agent_paused" as const;
  constructor(message: string) {
    super(message);
  }
}

/** An image, volume or network of the engine (docs/decisions/075). */
export type ResourceKind = "image" | "volume" | "network";

export class ResourceNotFoundError extends AgentError {
  override readonly code = "resource_not_found" as const;
  constructor(
    readonly kind: ResourceKind,
    readonly ref: string,
  ) {
    super(`No such ${kind}: ${ref}`);
  }
}

/** The engine refused because of the object's state: in use, has containers, name taken, pull failed. */
export class ResourceConflictError extends AgentError {
  override readonly code = "resource_conflict" as const;
  constructor(
    readonly kind: ResourceKind,
    readonly ref: string,
    message: string,
  ) {
    super(message);
  }
}

export interface AgentErrorPayload {
  code: AgentErrorCode;
  message: string;
  containerId?: string;
  address?: string;
  reason?: string;
  kind?: ResourceKind;
  ref?: string;
}

export function toAgentErrorPayload(error: unknown): AgentErrorPayload {
  if (error instanceof ContainerNotFoundError) {
    return { code: error.code, message: error.message, containerId: error.containerId };
  }
  if (error instanceof ContainerStateError) {
    return { code: error.code, message: error.message, containerId: error.containerId };
  }
  if (error instanceof DockerUnreachableError) {
    return { code: error.code, message: error.message, address: error.address, reason: error.reason };
  }
  if (error instanceof AgentOfflineError || error instanceof AgentPausedError) return { code: error.code, message: error.message };
  if (error instanceof ResourceNotFoundError || error instanceof ResourceConflictError) {
    return { code: error.code, message: error.message, kind: error.kind, ref: error.ref };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: "agent_error", message };
}

export function agentErrorFromPayload(payload: AgentErrorPayload): AgentError {
  switch (payload.code) {
    case "container_not_found":
      return new ContainerNotFoundError(payload.containerId ?? "");
    case "container_state":
      return new ContainerStateError(payload.containerId ?? "", payload.message);
    case "docker_unreachable":
      return new DockerUnreachableError(payload.address ?? "", payload.reason ?? payload.message);
    case "agent_offline":
      return new AgentOfflineError(payload.message);
    case "agent_paused":
      return new AgentPausedError(payload.message);
    case "resource_not_found":
      return new ResourceNotFoundError(payload.kind ?? "image", payload.ref ?? "");
    case "resource_conflict":
      return new ResourceConflictError(payload.kind ?? "image", payload.ref ?? "", payload.message);
    default:
      return new AgentError(payload.message);
  }
}
