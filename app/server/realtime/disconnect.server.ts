// Ending a user's live connections when their access changes (password, role, disabled, deleted).
import type { Server } from "socket.io";
import { getSingleton } from "../singleton.server";

export async function disconnectUserSockets(userId: string, options: { exceptSessionId?: string } = {}): Promise<void> {
  const io = getSingleton<Server>("io");
  if (!io) return;
  const sockets = await io.of("/ui").in(`user:${userId}`).fetchSockets();
  for (const socket of sockets) {
    const sessionId = (socket.data as { actor?: { sessionId?: string } }).actor?.sessionId;
    if (options.exceptSessionId && sessionId === options.exceptSessionId) continue;
    socket.disconnect(true);
  }
}

export async function disconnectSessionSockets(sessionId: string): Promise<void> {
  getSingleton<Server>("io")?.of("/ui").in(`session:${sessionId}`).disconnectSockets(true);
}
