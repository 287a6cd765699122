// One Socket.IO connection to /ui per mounted page (browser only): the session cookie
// authenticates it, and subscriptions are re-authorized on the server.
import { useEffect, useSyncExternalStore } from "react";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "~/realtime/events";
import { ORG_MISMATCH_EVENT, renderedOrgId } from "~/components/org/org-guard";

export type UiSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

// One connection per browser tab, shared by every component that needs it; closed when the last
// one unmounts. The server renders without it (null), the browser connects after hydration.
let shared: UiSocket | null = null;
const listeners = new Set<() => void>();

function subscribeSocket(listener: () => void): () => void {
  listeners.add(listener);
  if (!shared) {
    // The handshake names the organization this tab shows; the server refuses another (decision 090).
    shared = io("/ui", { transports: ["websocket"], withCredentials: true, auth: (cb) => cb(renderedOrgId() ? { org: renderedOrgId() } : {}) });
    shared.on("connect_error", (error) => {
      if (error.message === "org_mismatch") window.dispatchEvent(new Event(ORG_MISMATCH_EVENT));
    });
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && shared) {
      shared.close();
      shared = null;
    }
  };
}

export function useUiSocket(): UiSocket | null {
  return useSyncExternalStore(
    subscribeSocket,
    () => shared,
    () => null,
  );
}

/** Re-runs `subscribe` on every (re)connection, so a restarted server or a network blip recovers. */
export function useOnConnect(socket: UiSocket | null, subscribe: (socket: UiSocket) => (() => void) | void) {
  useEffect(() => {
    if (!socket) return;
    let cleanup: (() => void) | void;
    const run = () => {
      if (cleanup) cleanup();
      cleanup = subscribe(socket);
    };
    if (socket.connected) run();
    socket.on("connect", run);
    return () => {
      socket.off("connect", run);
      if (cleanup) cleanup();
    };
  }, [socket, subscribe]);
}
