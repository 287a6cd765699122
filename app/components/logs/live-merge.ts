// The browser's half of the merged live stream: batches of several containers arrive ordered
// within themselves, but a container's batch may trail another's by a flush or two, so lines are
// merged into the view by time (stable: one source's order is never changed). Pure, so the
// integration test merges exactly as the page does.
import { sourceKey, type LiveLine } from "~/server/logs/log-line";

/** Lines kept in the live view; older ones scroll away (history has them). */
export const LIVE_VIEW_LIMIT = 5_000;

const before = (a: LiveLine, b: LiveLine) => a.time !== null && b.time !== null && a.time < b.time;

/** `view` (ordered by time) with `incoming` (ordered by time) merged in, newest `limit` kept. */
export function mergeByTime(view: readonly LiveLine[], incoming: readonly LiveLine[], limit = LIVE_VIEW_LIMIT): LiveLine[] {
  if (incoming.length === 0) return view.slice(Math.max(0, view.length - limit));
  // Only the tail of the view can interleave with a new batch: find where it starts.
  let start = view.length;
  while (start > 0 && before(incoming[0]!, view[start - 1]!)) start--;
  const merged = view.slice(0, start);
  let i = start;
  let j = 0;
  while (i < view.length && j < incoming.length) merged.push(before(incoming[j]!, view[i]!) ? incoming[j++]! : view[i++]!);
  while (i < view.length) merged.push(view[i++]!);
  while (j < incoming.length) merged.push(incoming[j++]!);
  return merged.length > limit ? merged.slice(merged.length - limit) : merged;
}

/** Identity of a line for the resume seam (the server replays lines at the resume time itself). */
export function lineKey(line: LiveLine): string {
  return `${sourceKey(line.source)}\u0000${line.time}\u0000${line.stream}\u0000${line.message}`;
}

/** The newest time seen, and which lines carried it, so a resumed stream repeats none of them. */
export interface ResumePoint {
  time: string;
  keys: Set<string>;
}

export function advanceResume(point: ResumePoint | null, lines: readonly LiveLine[]): ResumePoint | null {
  let next = point;
  for (const line of lines) {
    if (line.time === null) continue;
    if (!next || line.time > next.time) next = { time: line.time, keys: new Set([lineKey(line)]) };
    else if (line.time === next.time) next.keys.add(lineKey(line));
  }
  return next;
}

/** Drops replayed lines a viewer already has (older than its resume point, or seen at it). */
export function afterResume(point: ResumePoint | null, lines: readonly LiveLine[]): LiveLine[] {
  if (!point) return [...lines];
  return lines.filter((l) => l.time === null || l.time > point.time || (l.time === point.time && !point.keys.has(lineKey(l))));
}
