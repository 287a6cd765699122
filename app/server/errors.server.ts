// Typed domain errors. Domain code throws these; app/server/http maps them to statuses in one place.
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  /** More members of the JSON error object (e.g. `limit` of plan_limit). */
  details?: Record<string, string | number>;
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly fields?: FieldErrors,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, fields?: FieldErrors) {
    super(message, 400, "validation_failed", fields);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = "You need to log in.", code = "unauthorized") {
    super(message, 401, code);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = "You are not allowed to do this.", code = "forbidden") {
    super(message, 403, code);
  }
}
/** Credential and second-factor management needs a person at a browser, not an API token. */
export class SessionRequiredError extends ForbiddenError {
  constructor(message = "This needs an interactive session: log in with your password in the web interface. API tokens cannot do it.") {
    super(message, "session_required");
  }
}
/** An administrator set this user's password (or forced a reset): until they choose their own, nothing else. */
export class PasswordChangeRequiredError extends ForbiddenError {
  constructor(message = "Choose a new password first (POST /api/v1/account/password): an administrator set or reset your current one.") {
    super(message, "password_change_required");
  }
}
/** First-run setup from another machine without (or with a wrong) one-time setup code. */
export class SetupCodeError extends AppError {
  constructor(message: string, code: "setup_code_required" | "setup_code_invalid") {
    super(message, 403, code, { setupCode: message });
  }
}
/** SaaS: the platform operator suspended the organization: its members may read, not change. */
export class OrgSuspendedError extends ForbiddenError {
  constructor(message = "This organization is suspended by the service operator: you can read its data but not change anything. Contact the operator to lift the suspension.") {
    super(message, "org_suspended");
  }
}
/** SaaS: the organization's plan does not allow more of something (decision 095). */
export class PlanLimitError extends AppError {
  constructor(
    message: string,
    readonly limit: string,
    readonly allowed: number,
  ) {
    super(message, 402, "plan_limit");
    this.details = { limit, allowed };
  }
}
export class NotFoundError extends AppError {
  constructor(message = "Not found.") {
    super(message, 404, "not_found");
  }
}
export class ConflictError extends AppError {
  constructor(message: string, code = "conflict", fields?: FieldErrors) {
    super(message, 409, code, fields);
  }
}
/** InfraPilot's own deployment: refused for everyone, whatever the role (docs/decisions/050). */
export class SelfProtectedError extends AppError {
  constructor(message: string) {
    super(message, 409, "self_protected");
  }
}
export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super(`The request body is larger than ${limit} bytes.`, 413, "payload_too_large");
  }
}
export class ThrottledError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, 429, "throttled");
  }
}
export class ServiceUnavailableError extends AppError {
  constructor(message: string, code = "unavailable") {
    super(message, 503, code);
  }
}

/** Postgres/driver errors that mean "the database is not reachable right now". */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let e: unknown = error;
  while (e && typeof e === "object" && !seen.has(e)) {
    seen.add(e);
    const { code, message, name } = e as { code?: string; message?: string; name?: string };
    if (code && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "57P01", "57P02", "57P03", "08006", "08001", "08003", "P1001", "P1017"].includes(code)) return true;
    if (name === "DriverAdapterError" && /connect|terminat|closed/i.test(message ?? "")) return true;
    if (/Connection terminated|ECONNREFUSED|Can't reach database|terminating connection|connection is closed|Client has encountered a connection error/i.test(message ?? "")) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Errors from the agent layer (agent/errors.ts), recognised by their stable `code` rather than by
 * class: the Remix build and server.ts each hold a copy of the agent modules, and a RemoteAgent
 * rebuilds them from the wire, so `instanceof` would miss some of them.
 */
export function fromAgentError(error: unknown): AppError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (code === "container_not_found") return new NotFoundError("No such container on this host.");
  if (code === "container_state") return new ConflictError(error.message);
  if (code === "docker_unreachable") return new ServiceUnavailableError(error.message, "docker_unreachable");
  if (code === "agent_offline") return new ServiceUnavailableError(error.message, "agent_offline");
  // A paused agent (its organization is suspended, decision 125): the same refusal as the API's.
  if (code === "agent_paused") return new OrgSuspendedError(error.message);
  if (code === "resource_not_found") return new NotFoundError(`No such ${(error as { kind?: string }).kind ?? "object"} on this host.`);
  if (code === "resource_conflict") return new ConflictError(error.message);
  return undefined;
}

export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  const fromAgent = fromAgentError(error);
  if (fromAgent) return fromAgent;
  if (isDatabaseUnavailable(error)) return new ServiceUnavailableError("The database is unavailable. InfraPilot will reconnect when it is back.", "database_unavailable");
  return undefined;
}
