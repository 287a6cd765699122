// The web terminal: `terminal:open` starts a TTY exec bound to the inspected container id, then
// the browser sends frames ({type: input|resize|exit}) and gets output batches. One terminal per
// socket. Bad frames are ignored and logged, never fatal. Start and end are audited; the exec
// closes when the socket goes, the shell exits or the container stops. Never in InfraPilot's own
// deployment (409 self_protected); in a container that holds the Docker socket or runs privileged
// only for a super admin (docs/decisions/050).
import { randomUUID } from "node:crypto";
import type { ExecSession } from "#agent/types";
import { can } from "~/permissions";
import { TerminalFrameSchema, TerminalOpenSchema, type TerminalFrame } from "~/validation/containers";
import { agentFor } from "../agents/registry.server";
import { audit } from "../audit/audit.server";
import type { Actor } from "../auth/require.server";
import { auditActor, checkContainerRef, refuseSelf } from "../docker/containers.server";
import { terminalRestriction } from "../docker/protection";
import { ForbiddenError, toAppError } from "../errors.server";
import { logger } from "../logger.server";
import { answer, currentActor, errorMessage, parsePayload, type TypedUiSocket } from "./subscription.server";

export const MAX_FRAME_BYTES = 64 * 1024;
const OUTPUT_FLUSH_MS = 16;

// `bash` when the image has it, `sh` otherwise.
const SHELLS = {
  sh: ["/bin/sh"],
  bash: ["/bin/sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi"],
};

interface Terminal {
  id: string;
  session: ExecSession;
  controller: AbortController;
}

export function registerTerminalHandlers(socket: TypedUiSocket): void {
  let terminal: Terminal | null = null;

  socket.on("terminal:open", (payload, ack) =>
    answer(socket, "terminal:open", ack, async () => {
      const input = parsePayload(TerminalOpenSchema, payload);
      let actor: Actor;
      try {
        actor = await currentActor(socket, "exec:container");
      } catch (error) {
        if (toAppError(error)?.status === 403) {
          await audit({ ...auditActor(socket.data.actor), action: "container.terminal.open", outcome: "denied", targetType: "container", targetId: input.containerId.slice(0, 100), details: { agentId: input.agentId } });
        }
        throw error;
      }
      const { agent } = await agentFor(actor, input.agentId);
      const detail = await agent.inspectContainer(checkContainerRef(input.containerId));
      await refuseSelf(actor, input.agentId, agent, detail, "container.terminal.open");
      const restriction = terminalRestriction(detail);
      if (restriction && !can(actor.role, "exec:host-access-container")) {
        await audit({ ...auditActor(actor), action: "container.terminal.open", outcome: "denied", targetType: "container", targetId: detail.id, details: { agentId: input.agentId, name: detail.name, reason: restriction } });
        throw new ForbiddenError(restriction);
      }
      terminal?.controller.abort();
      const controller = new AbortController();
      // Bound to the inspected immutable id: a renamed or replaced container cannot be hijacked.
      const session = await agent.exec(detail.id, { cmd: SHELLS[input.shell], tty: true, cols: input.cols, rows: input.rows }, controller.signal);
      const current: Terminal = { id: randomUUID(), session, controller };
      terminal = current;
      const startedAt = Date.now();
      const target = { targetType: "container", targetId: detail.id };
      await audit({ ...auditActor(actor), action: "container.terminal.open", outcome: "success", ...target, details: { agentId: input.agentId, name: detail.name, shell: input.shell, execId: session.id, ...(restriction ? { hostAccess: restriction } : {}) } });
      void pump(socket, current).then(async ({ exitCode, reason }) => {
        if (terminal === current) terminal = null;
        if (socket.connected) socket.emit("terminal:exit", { sessionId: current.id, exitCode, reason });
        await audit({
          ...auditActor(actor),
          action: "container.terminal.close",
          outcome: "success",
          ...target,
          details: { agentId: input.agentId, name: detail.name, execId: session.id, exitCode, reason, durationMs: Date.now() - startedAt },
        }).catch((error) => logger.error("audit failed", { error }));
      });
      return { sessionId: current.id };
    }),
  );

  socket.on("terminal:frame", (raw) => {
    const frame = readFrame(raw);
    if (!frame) {
      logger.warn("ignored an invalid terminal frame", { userId: socket.data.actor?.userId, size: typeof raw === "string" ? raw.length : undefined });
      return;
    }
    const current = terminal;
    if (!current) return;
    const done = (error: unknown) => logger.debug("terminal frame failed", { error: errorMessage(error) });
    if (frame.type === "input") current.session.write(frame.data).catch(done);
    else if (frame.type === "resize") current.session.resize(frame.cols, frame.rows).catch(done);
    else current.controller.abort();
  });

  socket.on("disconnect", () => terminal?.controller.abort());
}

/** A frame as JSON text or an object, at most 64 KiB; anything else is null. */
export function readFrame(raw: unknown): TerminalFrame | null {
  let value: unknown = raw;
  try {
    if (typeof raw === "string") {
      if (raw.length > MAX_FRAME_BYTES) return null;
      value = JSON.parse(raw);
    } else if (!raw || typeof raw !== "object" || JSON.stringify(raw).length > MAX_FRAME_BYTES) {
      return null;
    }
  } catch {
    return null;
  }
  const parsed = TerminalFrameSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Sends output in small batches until the process exits or the session is closed. */
async function pump(socket: TypedUiSocket, terminal: Terminal): Promise<{ exitCode: number | null; reason: string | null }> {
  let pending = "";
  const flush = () => {
    if (pending) socket.emit("terminal:output", { sessionId: terminal.id, data: pending });
    pending = "";
  };
  const timer = setInterval(flush, OUTPUT_FLUSH_MS);
  let reason: string | null = null;
  try {
    for await (const chunk of terminal.session.output) {
      pending += chunk.data;
      if (pending.length > 32_768) flush();
    }
  } catch (error) {
    if (!terminal.controller.signal.aborted) reason = errorMessage(error);
  } finally {
    clearInterval(timer);
    flush();
  }
  if (terminal.controller.signal.aborted) reason ??= "closed";
  const { exitCode } = await terminal.session.exit.catch(() => ({ exitCode: null }));
  return { exitCode, reason };
}
