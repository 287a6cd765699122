// The current organization lives on the session row (Session.orgId; docs/decisions/090). This
// module moves a session to another organization, ends an organization's sessions and leaves a
// notice for their holders ("organization deleted"), and closes the matching live sockets.
import { systemDb } from "../db/client.server";
import { getSingleton } from "../singleton.server";
import type { Server } from "socket.io";

export const ORG_DELETED = "org_deleted";

/** Points one session at another organization (membership checked by the caller). */
export async function moveSession(sessionId: string, orgId: string): Promise<void> {
  await systemDb().session.updateMany({ where: { id: sessionId }, data: { orgId } });
  // The tab's sockets were authorised for the old organization: they reconnect under the new one.
  getSingleton<Server>("io")?.of("/ui").in(`session:${sessionId}`).disconnectSockets(true);
}

/**
 * Ends every session whose current organization is `orgId`, leaving each holder a notice of why,
 * and closes every live socket of that organization.
 */
export async function endOrgSessions(orgId: string, orgName: string): Promise<void> {
  const sessions = await systemDb().session.findMany({ where: { orgId }, select: { id: true, expiresAt: true } });
  if (sessions.length) {
    await systemDb().endedSession.createMany({
      data: sessions.map((s) => ({ id: s.id, reason: ORG_DELETED, orgName, expiresAt: s.expiresAt })),
      skipDuplicates: true,
    });
  }
  await systemDb().session.deleteMany({ where: { orgId } });
  getSingleton<Server>("io")?.of("/ui").in(`org:${orgId}`).disconnectSockets(true);
}

/** Ends one user's sessions in one organization (removed from it, or their role there changed). */
export async function endMemberSessions(orgId: string, userId: string): Promise<void> {
  const sessions = await systemDb().session.findMany({ where: { orgId, userId }, select: { id: true } });
  await systemDb().session.deleteMany({ where: { orgId, userId } });
  const io = getSingleton<Server>("io");
  for (const s of sessions) io?.of("/ui").in(`session:${s.id}`).disconnectSockets(true);
}

/** Why the session behind this cookie ended, when it ended for a reason its holder must hear. */
export async function endedSessionNotice(sessionId: string): Promise<{ reason: string; orgName: string } | null> {
  const row = await systemDb().endedSession.findUnique({ where: { id: sessionId }, select: { reason: true, orgName: true, expiresAt: true } });
  return row && row.expiresAt > new Date() ? { reason: row.reason, orgName: row.orgName } : null;
}

export async function forgetEndedSession(sessionId: string): Promise<void> {
  await systemDb().endedSession.deleteMany({ where: { id: sessionId } });
}

export async function deleteExpiredSessionNotices(): Promise<void> {
  await systemDb().endedSession.deleteMany({ where: { expiresAt: { lte: new Date() } } });
}
