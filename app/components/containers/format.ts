// Pure display helpers for container numbers.
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)}%`;
}

export function formatPorts(ports: { private: number; public: number | null; protocol: string }[]): string {
  const seen = new Set<string>();
  for (const p of ports) seen.add(p.public ? `${p.public}→${p.private}/${p.protocol}` : `${p.private}/${p.protocol}`);
  return [...seen].join(", ");
}

export const STATE_TONE = {
  running: "good",
  restarting: "warn",
  paused: "warn",
  created: "muted",
  removing: "muted",
  exited: "bad",
  dead: "bad",
} as const;

export const HEALTH_TONE = { healthy: "good", unhealthy: "bad", starting: "warn", none: "muted" } as const;

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400, week: 7 * 86_400, month: 30 * 86_400, year: 365 * 86_400 };

/**
 * Docker's list gives only a status sentence ("Up 3 minutes (healthy)", "Exited (0) 2 hours ago");
 * this reads the span it states, in seconds, so the page can keep it ticking. Null when it
 * states none ("Created", "Dead").
 */
export function parseStatusSpan(status: string): { kind: "up" | "ago"; seconds: number; prefix: string; suffix: string } | null {
  const up = /^Up (.+?)( \(.+\))?$/.exec(status);
  const ago = /^((?:Exited|Restarting) \(-?\d+\)) (.+?) ago$/.exec(status);
  const span = up?.[1] ?? ago?.[2];
  if (!span) return null;
  const seconds = spanSeconds(span);
  if (seconds === null) return null;
  return up ? { kind: "up", seconds, prefix: "Up", suffix: up[2] ?? "" } : { kind: "ago", seconds, prefix: ago![1]!, suffix: "" };
}

function spanSeconds(span: string): number | null {
  if (/^less than a second$/i.test(span)) return 0;
  const about = /^about an? (\w+)$/i.exec(span);
  if (about) return UNIT_SECONDS[about[1]!.toLowerCase()] ?? null;
  const n = /^(\d+) (\w+?)s?$/.exec(span);
  if (!n) return null;
  const unit = UNIT_SECONDS[n[2]!.toLowerCase()];
  return unit === undefined ? null : Number(n[1]) * unit;
}

/** A span at the precision Docker itself keeps: seconds under a minute, then minutes, hours, days. */
export function formatSpan(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} days`;
}

/** The status sentence, `elapsedMs` after Docker stated it. */
export function tickStatus(status: string, elapsedMs: number): string {
  const parsed = parseStatusSpan(status);
  if (!parsed) return status;
  const span = formatSpan(parsed.seconds + elapsedMs / 1000);
  return parsed.kind === "up" ? `Up ${span}${parsed.suffix}` : `${parsed.prefix} ${span} ago`;
}

/** Sort keys of the containers table. */
export const STATE_ORDER: Record<string, number> = { running: 0, restarting: 1, paused: 2, created: 3, removing: 4, exited: 5, dead: 6 };
