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
