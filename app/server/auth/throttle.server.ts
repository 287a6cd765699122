// Guess throttling (passwords per account and per client address, second-factor codes per
// account), kept in Postgres so every replica sees the same counters. An attempt is *taken*
// before the guess is checked, in one atomic statement, and given back when the guess was right.
// Checking first and counting afterwards would let 50 parallel guesses all pass the check before
// the first failure is written; taking first means the database hands out exactly MAX_FAILURES
// attempts per window whatever the concurrency. The attempt that uses up the allowance starts a
// block of BLOCK_SECONDS (the attempt itself is still evaluated).
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

/** Pure: the message and Retry-After of a refusal that lasts until `until`. */
export function throttledError(until: Date, now = Date.now()): ThrottledError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now) / 1000));
  const minutes = Math.ceil(seconds / 60);
  return new ThrottledError(`Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, seconds);
}

/**
 * Takes one attempt from every key, or throws ThrottledError when any key is blocked. One
 * statement: the row lock of INSERT … ON CONFLICT DO UPDATE serialises concurrent takers, and a
 * blocked key's row is neither updated nor returned.
 */
export interface ThrottleLimits {
  max: number;
  windowSeconds: number;
  blockSeconds: number;
}
const GUESSES: ThrottleLimits = { max: MAX_FAILURES, windowSeconds: WINDOW_SECONDS, blockSeconds: BLOCK_SECONDS };

export async function takeAttempt(keys: string[], limits: ThrottleLimits = GUESSES): Promise<void> {
  const { max, windowSeconds, blockSeconds } = limits;
  const taken = await systemDb().$queryRaw<{ key: string }[]>`
    INSERT INTO "LoginThrottle" AS t ("key", "failures", "windowStart")
    SELECT k, 1, now() FROM unnest(${keys}::text[]) AS k
    ON CONFLICT ("key") DO UPDATE SET
      "failures" = CASE WHEN t."windowStart" < now() - make_interval(secs => ${windowSeconds}) THEN 1 ELSE t."failures" + 1 END,
      "windowStart" = CASE WHEN t."windowStart" < now() - make_interval(secs => ${windowSeconds}) THEN now() ELSE t."windowStart" END,
      "blockedUntil" = CASE WHEN t."windowStart" >= now() - make_interval(secs => ${windowSeconds}) AND t."failures" + 1 >= ${max}
                            THEN now() + make_interval(secs => ${blockSeconds}) ELSE NULL END
    WHERE t."blockedUntil" IS NULL OR t."blockedUntil" <= now()
    RETURNING t."key"`;
  if (taken.length === keys.length) return;
  // Refused: the keys that did count this attempt get it back, so one blocked key (an address)
  // does not also use up another (the account).
  await giveBack(taken.map((r) => r.key));
  const rows = await systemDb().loginThrottle.findMany({ where: { key: { in: keys }, blockedUntil: { gt: new Date() } }, select: { blockedUntil: true } });
  const until = Math.max(Date.now() + 1000, ...rows.map((r) => r.blockedUntil!.getTime()));
  throw throttledError(new Date(until));
}

/** A right guess costs nothing: its attempt is given back (and a block it started is lifted). */
export async function giveBack(keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await systemDb().$executeRaw`
    UPDATE "LoginThrottle" SET
      "failures" = GREATEST("failures" - 1, 0),
      "blockedUntil" = CASE WHEN "failures" - 1 < ${MAX_FAILURES} THEN NULL ELSE "blockedUntil" END
    WHERE "key" = ANY(${keys}::text[])`;
}

/** After a successful login the account starts afresh (the address keeps its count). */
export async function clearFailures(key: string): Promise<void> {
  await systemDb().loginThrottle.deleteMany({ where: { key } });
}

/**
 * Runs one guess under the throttle: takes an attempt first, and gives it back (or clears the
 * account's counter) when `check` says the guess was right.
 */
export async function throttledGuess<T>(keys: string[], check: () => Promise<T>, isRight: (result: T) => boolean, options: { clearOnSuccess?: string } = {}): Promise<T> {
  await takeAttempt(keys);
  let result: T;
  try {
    result = await check();
  } catch (error) {
    // Not a wrong guess but a failure to check one (database, decryption): the attempt is returned.
    await giveBack(keys).catch(() => {});
    throw error;
  }
  if (isRight(result)) {
    if (options.clearOnSuccess) {
      await clearFailures(options.clearOnSuccess);
      await giveBack(keys.filter((k) => k !== options.clearOnSuccess));
    } else {
      await giveBack(keys);
    }
  }
  return result;
}
