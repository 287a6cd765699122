// A tiny inline SVG line chart for the last few minutes of one metric.
export function Sparkline({ values, label, format, max }: { values: (number | null)[]; label: string; format: (v: number | null) => string; max?: number }) {
  const points = values.map((v) => v ?? 0);
  const top = Math.max(max ?? 0, ...points, 1e-9);
  const width = 240;
  const height = 48;
  const step = points.length > 1 ? width / (points.length - 1) : width;
  const path = points.map((v, i) => `${i === 0 ? "M" : "L"}${(i * step).toFixed(1)},${(height - (v / top) * (height - 2) - 1).toFixed(1)}`).join(" ");
  const last = values.length ? values[values.length - 1] : null;
  return (
    <figure className="flex flex-col gap-1">
      <figcaption className="flex justify-between text-xs text-slate-500 dark:text-slate-400">
        <span>{label}</span>
        <span className="font-mono text-slate-900 dark:text-slate-100" data-testid={`metric-${label.toLowerCase().replace(/\W+/g, "-")}`}>
          {format(last)}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} className="h-12 w-full text-brand-600 dark:text-brand-500" role="img" aria-label={`${label}: ${format(last)}`} preserveAspectRatio="none">
        {points.length > 1 ? <path d={path} fill="none" stroke="currentColor" strokeWidth="1.5" vectorEffect="non-scaling-stroke" /> : null}
      </svg>
    </figure>
  );
}
