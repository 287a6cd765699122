// The public end of push monitors: /api/push/<token>, called by a cron job without a session.
// The token is found by its SHA-256 through a definer function that reveals nothing else
// (prisma/migrations/*_monitors), so no tenant is needed and none is exposed.
import { sha256Hex } from "../crypto.server";
import { systemDb } from "../db/client.server";
import { NotFoundError } from "../errors.server";

export async function recordPushBeat(token: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) throw new NotFoundError("No such push monitor.");
  const rows = await systemDb().$queryRaw<{ ok: boolean }[]>`SELECT monitor_push_beat(${sha256Hex(token)}) AS ok`;
  if (!rows[0]?.ok) throw new NotFoundError("No such push monitor.");
}
