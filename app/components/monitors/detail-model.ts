// Pure shaping of a monitor's history for its detail view: the response-time series (oldest
// first, failed checks kept as gaps with a mark), latency summary, and the incident timeline where
// every down is paired with the up that ended it (its duration) or is still ongoing.
export interface ResultPoint {
  time: string;
  ok: boolean;
  latencyMs: number | null;
}

export interface IncidentLike {
  id: string;
  kind: "down" | "up" | "cert";
  cause: string | null;
  message: string;
  at: string;
}

export interface TimelineEntry {
  id: string;
  kind: "down" | "up" | "cert";
  cause: string | null;
  message: string;
  at: string;
  /** down: how long it lasted until the next up (ongoing: until now); up: how long it had been down. */
  durationMs: number | null;
  ongoing: boolean;
}

/** Incidents newest first, as the API lists them → the same order with durations. */
export function incidentTimeline(incidents: IncidentLike[], now: number): TimelineEntry[] {
  const oldestFirst = [...incidents].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const out: TimelineEntry[] = [];
  for (let i = 0; i < oldestFirst.length; i++) {
    const e = oldestFirst[i]!;
    if (e.kind === "down") {
      const end = oldestFirst.slice(i + 1).find((n) => n.kind === "up");
      out.push({ ...e, durationMs: (end ? Date.parse(end.at) : now) - Date.parse(e.at), ongoing: !end });
    } else if (e.kind === "cert") {
      out.push({ ...e, durationMs: null, ongoing: false });
    } else {
      const start = oldestFirst
        .slice(0, i)
        .reverse()
        .find((p) => p.kind === "down");
      out.push({ ...e, durationMs: start ? Date.parse(e.at) - Date.parse(start.at) : null, ongoing: false });
    }
  }
  return out.reverse();
}

/** 42_000 → "42 s", 125_000 → "2 min 5 s", 3_900_000 → "1 h 5 min", 90_000_000 → "1 d 1 h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

export interface LatencySummary {
  checks: number;
  failed: number;
  avgMs: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

export function latencySummary(results: ResultPoint[]): LatencySummary {
  const ok = results.filter((r) => r.ok && r.latencyMs !== null).map((r) => r.latencyMs!).sort((a, b) => a - b);
  return {
    checks: results.length,
    failed: results.filter((r) => !r.ok).length,
    avgMs: ok.length ? Math.round(ok.reduce((a, b) => a + b, 0) / ok.length) : null,
    p95Ms: ok.length ? ok[Math.min(ok.length - 1, Math.ceil(0.95 * ok.length) - 1)]! : null,
    maxMs: ok.length ? ok[ok.length - 1]! : null,
  };
}

export interface ChartGeometry {
  /** SVG path of the successful checks' latency; a failed check breaks the line. */
  path: string;
  /** x of each failed check (drawn as a red tick). */
  failures: number[];
  top: number;
}

/** Lays results (any order) out on a width × height box over [from, to]. */
export function latencyChart(results: ResultPoint[], from: number, to: number, width: number, height: number): ChartGeometry {
  const sorted = [...results].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const top = Math.max(1, ...sorted.filter((r) => r.ok && r.latencyMs !== null).map((r) => r.latencyMs!));
  const span = Math.max(1, to - from);
  const x = (t: string) => ((Date.parse(t) - from) / span) * width;
  const y = (v: number) => height - (v / top) * (height - 4) - 2;
  let path = "";
  let pen = false;
  const failures: number[] = [];
  for (const r of sorted) {
    if (!r.ok || r.latencyMs === null) {
      if (!r.ok) failures.push(Number(x(r.time).toFixed(1)));
      pen = false;
      continue;
    }
    path += `${pen ? "L" : "M"}${x(r.time).toFixed(1)},${y(r.latencyMs).toFixed(1)} `;
    pen = true;
  }
  return { path: path.trim(), failures, top };
}
