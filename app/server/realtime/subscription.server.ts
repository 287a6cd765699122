// Shared by the /ui subscription handlers: re-authorize against the session (not the snapshot
// taken at connect time), answer acknowledgements in one shape, validate payloads.
import type { Socket } from "socket.io";
import type { z } from "zod";
import type { Permission } from "~/permissions";
import type { Ack, ClientToServerEvents, ServerToClientEvents } from "~/realtime/events";
import { actorFromSessionToken, assertNoPendingPasswordChange, assertPermission, type Actor } from "../auth/require.server";
import { readSessionToken } from "../auth/session.server";
import { toAppError, UnauthorizedError, ValidationError } from "../errors.server";
import { logger } from "../logger.server";

export type TypedUiSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { actor: Actor }>;

/** The socket's actor as of now: a revoked session or a changed role counts immediately. */
export async function currentActor(socket: TypedUiSocket, permission: Permission): Promise<Actor> {
  const token = readSessionToken(socket.handshake.headers.cookie);
  const resolved = token ? await actorFromSessionToken(token) : null;
  if (!resolved) {
    socket.disconnect(true);
    throw new UnauthorizedError("Your session has ended. Log in again.");
  }
  const actor: Actor = { ...resolved.actor, ip: socket.data.actor?.ip ?? socket.handshake.address, userAgent: socket.handshake.headers["user-agent"] };
  socket.data.actor = actor;
  assertNoPendingPasswordChange(actor);
  assertPermission(actor, permission);
  return actor;
}

export function parsePayload<S extends z.ZodType>(schema: S, payload: unknown): z.infer<S> {
  const result = schema.safeParse(payload);
  if (!result.success) throw new ValidationError("That request was not valid.");
  return result.data;
}

/** Calls `ack` with the outcome of `run`; expected refusals become `{ok:false, error}`. */
export async function answer<T extends object>(socket: TypedUiSocket, event: string, ack: unknown, run: () => Promise<T>): Promise<void> {
  const reply = typeof ack === "function" ? (ack as Ack<T>) : () => {};
  try {
    reply({ ok: true, ...(await run()) });
  } catch (error) {
    const known = toAppError(error);
    if (!known) logger.error("socket subscription failed", { event, userId: socket.data.actor?.userId, error });
    else if (known.status === 403) logger.warn("socket subscription refused", { event, userId: socket.data.actor?.userId, reason: known.message });
    reply({ ok: false, error: known ? { code: known.code, message: known.message } : { code: "internal", message: "Something went wrong." } });
  }
}

/** Resolves after `ms` or when `signal` aborts, whichever comes first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

export function errorMessage(error: unknown): string {
  return toAppError(error)?.message ?? (error instanceof Error ? error.message : String(error));
}
