// Failed-login throttling per account and per client address, kept in Postgres so every replica
// sees the same counters. After MAX_FAILURES inside WINDOW, the key is refused for BLOCK.
import { sha256Hex } from "../crypto.server";
import { systemDb } from "../db/client.server";
import { ThrottledError } from "../errors.server";

export const MAX_FAILURES = 10;
export const WINDOW_SECONDS = 15 * 60;
export const BLOCK_SECONDS = 15 * 60;

export function throttleKeys(email: string, ip: string | undefined): string[] {
  const keys = [`account:${sha256Hex(email.trim().toLowerCase())}`];
  if (ip) keys.push(`ip:${ip}`);
  return keys;
}

export async function assertNotThrottled(keys: string[]): Promise<void> {
  const rows = await systemDb().loginThrottle.findMany({
    where: { key: { in: keys }, blockedUntil: { gt: new Date() } },
    select: { blockedUntil: true },
  });
  const until = Math.max(0, ...rows.map((r) => r.blockedUntil!.getTime()));
  if (until > 0) {
    const seconds = Math.ceil((until - Date.now()) / 1000);
    const minutes = Math.ceil(seconds / 60);
    throw new ThrottledError(`Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, seconds);
  }
}

/** Counts one failure for each key, atomically; the tenth inside the window starts a block. */
export async function recordFailure(keys: string[]): Promise<void> {
  for (const key of keys) {
    await systemDb().$executeRaw`
      INSERT INTO "LoginThrottle" ("key", "failures", "windowStart")
      VALUES (${key}, 1, now())
      ON CONFLICT ("key") DO UPDATE SET
        "failures" = CASE WHEN "LoginThrottle"."windowStart" < now() - make_interval(secs => ${WINDOW_SECONDS})
                          THEN 1 ELSE "LoginThrottle"."failures" + 1 END,
        "windowStart" = CASE WHEN "LoginThrottle"."windowStart" < now() - make_interval(secs => ${WINDOW_SECONDS})
                          THEN now() ELSE "LoginThrottle"."windowStart" END,
        "blockedUntil" = CASE WHEN "LoginThrottle"."windowStart" >= now() - make_interval(secs => ${WINDOW_SECONDS})
                               AND "LoginThrottle"."failures" + 1 >= ${MAX_FAILURES}
                          THEN now() + make_interval(secs => ${BLOCK_SECONDS}) ELSE "LoginThrottle"."blockedUntil" END`;
  }
}

export async function clearFailures(key: string): Promise<void> {
  await systemDb().loginThrottle.deleteMany({ where: { key } });
}
