// Socket.IO on the same http server. The /ui namespace admits only logged-in browsers from our
// own origin; each later subscription re-checks permissions against the socket's actor.
import type { Server as HttpServer } from "node:http";
import { Server, type Namespace, type Socket } from "socket.io";
import { attachAgentNamespace } from "../agents/agent-socket.server";
import { actorFromSessionToken, type Actor } from "../auth/require.server";
import { readSessionToken } from "../auth/session.server";
import { crossSiteReason, misdirectedReason } from "../http/origin";
import { logger } from "../logger.server";
import { setSingleton } from "../singleton.server";
import { registerContainerHandlers } from "./containers.server";
import { registerLogHandlers } from "./logs-live.server";
import type { TypedUiSocket } from "./subscription.server";
import { registerTerminalHandlers } from "./terminal.server";

export interface UiSocketData {
  actor: Actor;
}

export type UiSocket = Socket<Record<string, never>, Record<string, never>, Record<string, never>, UiSocketData>;

export function attachSocketIo(server: HttpServer, options: { allowedOrigins: ReadonlySet<string>; publicHostname: string }): Server {
  const io = new Server(server, {
    serveClient: false,
    // Vite's HMR websocket shares this server in development; leave upgrades that are not ours alone.
    destroyUpgrade: false,
    maxHttpBufferSize: 1e6,
    // The handshake passes the same Host and Origin checks as a cookie-authenticated POST.
    allowRequest: (req, callback) => {
      const reason =
        misdirectedReason(req.headers.host, options.publicHostname) ??
        crossSiteReason({
          method: "POST",
          origin: req.headers.origin ?? null,
          secFetchSite: (req.headers["sec-fetch-site"] as string | undefined) ?? null,
          allowedOrigins: options.allowedOrigins,
          bearer: false,
          // Without cookies a handshake carries no ambient authority: a remote agent (no browser,
          // no Origin) proves itself on /agent by its key instead.
          cookie: Boolean(req.headers.cookie),
        });
      callback(reason, reason === null);
    },
  });
  // Nothing lives on the main namespace; only /ui (browsers) and /agent (remote agents).
  io.of("/").use((_socket, next) => next(new Error("not found")));
  const ui: Namespace = io.of("/ui");
  ui.use(async (socket, next) => {
    try {
      const token = readSessionToken(socket.handshake.headers.cookie);
      const resolved = token ? await actorFromSessionToken(token) : null;
      if (!resolved) return next(new Error("unauthorized"));
      // Live data is part of "everything else": a user with an admin-set password gets none of it.
      if (resolved.actor.mustChangePassword) return next(new Error("password_change_required"));
      // A tab rendered for another organization than the session's current one gets no live data
      // of the new one (docs/decisions/090); it reloads instead.
      const renderedOrg = (socket.handshake.auth as { org?: unknown } | undefined)?.org;
      if (typeof renderedOrg === "string" && renderedOrg !== resolved.actor.orgId) return next(new Error("org_mismatch"));
      (socket.data as UiSocketData).actor = { ...resolved.actor, ip: socket.handshake.address };
      socket.join(`user:${resolved.actor.userId}`);
      socket.join(`session:${resolved.actor.sessionId}`);
      // Deleting the organization closes every socket in it.
      socket.join(`org:${resolved.actor.orgId}`);
      next();
    } catch (error) {
      logger.warn("socket authentication failed", { error });
      next(new Error("unavailable"));
    }
  });
  ui.on("connection", (socket) => {
    socket.emit("hello" as never, { userId: (socket.data as UiSocketData).actor.userId } as never);
    registerContainerHandlers(socket as unknown as TypedUiSocket);
    registerLogHandlers(socket as unknown as TypedUiSocket);
    registerTerminalHandlers(socket as unknown as TypedUiSocket);
  });
  attachAgentNamespace(io);
  setSingleton("io", io);
  return io;
}
