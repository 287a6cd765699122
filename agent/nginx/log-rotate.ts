// Rotation of nginx's per-host logs (`logs/hosts/<hostId>.access.log`, `.error.log`, written by
// the rendered config, followed by log-tail.ts). The agent rotates them itself, like logrotate
// with `nginx -s reopen`, so nothing has to be installed or configured on the host:
//   - a file larger than `maxBytes`, or any non-empty file once a day, is renamed to `<name>.1`
//     (`.1` → `.2` … up to `keep`, the oldest is deleted);
//   - then nginx is told to reopen its logs (SIGUSR1 to the master; the caller does that) and
//     creates a fresh `<name>`. Until it has, nginx keeps appending to the renamed file; the
//     tailer reads a renamed file to its end, so no line is lost or read twice.
//   - logs of hosts the live config no longer names (deleted hosts) are removed after an apply.
// Plain functions on a directory: the container mode and a remote agent use them unchanged.
import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface LogRotationOptions {
  /** Rotate a file once it is larger than this (bytes). */
  maxBytes: number;
  /** Rotated files kept per log (`.1` … `.keep`); older ones are deleted. */
  keep: number;
  /** Also rotate every non-empty file once per calendar day (the agent's local time). */
  daily: boolean;
  /**
   * A log is not rotated again sooner than this after its last rotation (size rule only): the
   * tailer must have opened the file nginx created at the last reopen before it is renamed
   * in turn, so this stays far above the tailer's poll interval.
   */
  minIntervalMs: number;
}

export const DEFAULT_LOG_ROTATION: LogRotationOptions = { maxBytes: 50 * 1024 * 1024, keep: 5, daily: true, minIntervalMs: 60_000 };

/** Live per-host log names, e.g. `<hostId>.access.log` (log-tail.ts follows exactly these). */
const LIVE = /^[A-Za-z0-9_-]+\.(access|error)\.log$/;
/** Live or rotated: `<hostId>.access.log`, `<hostId>.access.log.3`. */
const ANY = /^([A-Za-z0-9_-]+\.(?:access|error)\.log)(?:\.(\d+))?$/;
/** When the daily rotation last ran (YYYY-MM-DD, local time). */
const DAY_FILE = ".rotated-day";

function localDay(now: Date): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}

/**
 * Renames the logs due for rotation; returns their names (non-empty: nginx must reopen its logs).
 * The first call ever only records the day, so a fresh install does not rotate at once.
 */
export async function rotateHostLogs(dir: string, options: LogRotationOptions, now = new Date(), lastRotated = new Map<string, number>()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  let newDay = false;
  if (options.daily) {
    const today = localDay(now);
    const last = await readFile(join(dir, DAY_FILE), "utf8").catch(() => null);
    if (last?.trim() !== today) {
      newDay = last !== null;
      await writeFile(join(dir, DAY_FILE), today);
    }
  }
  const rotated: string[] = [];
  const present = new Set(names);
  for (const name of names.filter((n) => LIVE.test(n)).sort()) {
    const size = await stat(join(dir, name)).then(
      (s) => s.size,
      () => 0,
    );
    if (size === 0 || (size <= options.maxBytes && !newDay)) continue;
    if (!newDay && now.getTime() - (lastRotated.get(name) ?? -Infinity) < options.minIntervalMs) continue;
    lastRotated.set(name, now.getTime());
    const keep = Math.max(1, options.keep);
    // Shift the older generations up by one; the one past `keep` is dropped.
    for (let i = keep; i >= 1; i--) {
      const from = i === 1 ? name : `${name}.${i - 1}`;
      if (!present.has(from)) continue;
      if (i === keep && present.has(`${name}.${keep}`)) await rm(join(dir, `${name}.${keep}`), { force: true });
      await rename(join(dir, from), join(dir, `${name}.${i}`));
      present.add(`${name}.${i}`);
    }
    // Generations beyond `keep` left over from a larger setting.
    for (const n of [...present]) {
      const m = ANY.exec(n);
      if (m && m[1] === name && m[2] !== undefined && Number(m[2]) > keep) {
        await rm(join(dir, n), { force: true });
        present.delete(n);
      }
    }
    present.delete(name);
    rotated.push(name);
  }
  return rotated;
}

/** Log file names the given config files write (`logs/hosts/<name>` directives). */
export function referencedHostLogs(files: Record<string, string>, hostLogsDir = "logs/hosts"): Set<string> {
  const found = new Set<string>();
  const pattern = new RegExp(`(?:^|\\s)${hostLogsDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/([A-Za-z0-9_-]+\\.(?:access|error)\\.log)\\b`, "gm");
  for (const content of Object.values(files)) {
    if (!content.includes(hostLogsDir)) continue;
    for (const m of content.matchAll(pattern)) found.add(m[1]!);
  }
  return found;
}

/** Removes the logs (and rotated generations) that no live config names any more: deleted hosts. */
export async function removeUnreferencedHostLogs(dir: string, referenced: Set<string>): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const n of names) {
    const m = ANY.exec(n);
    if (!m || referenced.has(m[1]!)) continue;
    await rm(join(dir, n), { force: true });
    removed.push(n);
  }
  return removed;
}
