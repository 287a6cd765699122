// A time-series chart with axes, units and a tooltip, drawn by uPlot (loaded on first use, so
// pages without charts do not pay for it). The tooltip follows the pointer, a finger, or the
// arrow keys once the chart has focus; times are UTC like everywhere else in the app. Colours
// follow the light/dark theme (the `dark` class on <html>), and the width follows the card.
import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import type uPlot from "uplot";
import { utcClock } from "./series";

export interface ChartLine {
  label: string;
  /** Light and dark stroke colours. */
  color: [string, string];
}

export interface TimeChartProps {
  /** Accessible name and heading, e.g. "CPU". */
  title: string;
  /** What the values mean, under the title: "100 % = one core". */
  unitNote?: string;
  /** [x seconds, ...one column per line]. */
  data: (number | null)[][];
  lines: ChartLine[];
  /** Fixed y range, or a function of the largest value. */
  yRange: (max: number) => [number, number];
  formatValue: (v: number | null) => string;
  /** Labels of the y axis' ticks; formatValue when omitted. */
  formatTick?: (v: number) => string;
  /** Fixed tick positions of the y axis (e.g. quarters of a memory limit), uPlot's choice when omitted. */
  ySplits?: (min: number, max: number) => number[];
  /** A second y axis on the right (e.g. % of the memory limit) over the same range. */
  rightAxis?: { range: [number, number]; format: (v: number) => string };
  /** Visible start and end of the x axis (seconds); the chart spans the whole range even while history is short. */
  xRange: [number, number];
  testId: string;
  height?: number;
}

const THEME = {
  light: { axis: "#475569", grid: "#e2e8f0" },
  dark: { axis: "#cbd5e1", grid: "#1e293b" },
};

const QUARTERS = [0, 0.25, 0.5, 0.75, 1];

function isDark(): boolean {
  return document.documentElement.classList.contains("dark");
}

// Follow the theme switch without a reload; null while rendering on the server.
function subscribeTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
}

export function TimeChart(props: TimeChartProps) {
  const { title, unitNote, data, lines, testId, height = 180 } = props;
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });
  const [tip, setTip] = useState<{ left: number; top: number; width: number; time: string; values: string[] } | null>(null);
  const dark = useSyncExternalStore(subscribeTheme, isDark, () => null);

  // (Re)build the chart when the theme or the shape changes; data updates go through setData below.
  const shape = `${lines.length}:${props.rightAxis ? 1 : 0}`;
  useEffect(() => {
    if (dark === null || !box.current) return;
    let cancelled = false;
    let resize: ResizeObserver | null = null;
    void Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([{ default: UPlot }]) => {
      if (cancelled || !box.current) return;
      const p = latest.current;
      const colors = dark ? THEME.dark : THEME.light;
      const axis = { stroke: colors.axis, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 }, font: "12px ui-sans-serif, system-ui, sans-serif" };
      const opts: uPlot.Options = {
        width: box.current.clientWidth || 300,
        height,
        legend: { show: false },
        tzDate: (ts) => UPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        cursor: { drag: { x: false, y: false }, points: { size: 7 } },
        scales: {
          x: { time: true, range: () => latest.current.xRange },
          y: { range: (_u, _min, max) => latest.current.yRange(Number.isFinite(max) ? max : 0) },
          ...(p.rightAxis ? { right: { range: () => latest.current.rightAxis!.range } } : {}),
        },
        axes: [
          { ...axis, values: (_u, splits) => splits.map((s) => utcClock(s)) },
          {
            ...axis,
            size: 72,
            ...(p.ySplits ? { splits: (_u: uPlot, _i: number, min: number, max: number) => latest.current.ySplits?.(min, max) ?? [min, max] } : {}),
            values: (_u, splits) => splits.map((s) => (latest.current.formatTick ?? latest.current.formatValue)(s)),
          },
          ...(p.rightAxis ? [{ ...axis, scale: "right", side: 1, size: 48, grid: { show: false }, splits: (_u: uPlot, _i: number, min: number, max: number) => QUARTERS.map((f) => min + (max - min) * f), values: (_u: uPlot, splits: number[]) => splits.map((s) => latest.current.rightAxis!.format(s)) }] : []),
        ],
        series: [
          {},
          ...p.lines.map((l) => ({ label: l.label, stroke: dark ? l.color[1] : l.color[0], width: 2, fill: `${dark ? l.color[1] : l.color[0]}22`, points: { show: (u: uPlot) => u.data[0].length < 3 } })),
          ...(p.rightAxis ? [{ label: "", scale: "right", show: false }] : []),
        ],
        hooks: {
          setCursor: [
            (u) => {
              const idx = u.cursor.idx;
              if (idx === null || idx === undefined || u.cursor.left === undefined || u.cursor.left < 0) return setTip(null);
              const x = u.data[0][idx];
              setTip({
                left: u.cursor.left,
                top: u.cursor.top ?? 0,
                width: u.over.clientWidth,
                time: `${new Date(x * 1000).toISOString().slice(0, 10)} ${utcClock(x, true)} UTC`,
                values: latest.current.lines.map((l, i) => `${l.label}: ${latest.current.formatValue(u.data[i + 1][idx] as number | null)}`),
              });
            },
          ],
        },
      };
      plot.current?.destroy();
      const columns = withRightColumn(p.data, Boolean(p.rightAxis));
      plot.current = new UPlot(opts, columns as uPlot.AlignedData, box.current);
      resize = new ResizeObserver(() => box.current && plot.current?.setSize({ width: box.current.clientWidth, height }));
      resize.observe(box.current);
      // A finger moves the cursor like a pointer does.
      const over = plot.current.over;
      const onTouch = (e: TouchEvent) => {
        const touch = e.touches[0];
        if (!touch || !plot.current) return;
        const rect = over.getBoundingClientRect();
        plot.current.setCursor({ left: touch.clientX - rect.left, top: touch.clientY - rect.top });
      };
      over.addEventListener("touchstart", onTouch, { passive: true });
      over.addEventListener("touchmove", onTouch, { passive: true });
    });
    return () => {
      cancelled = true;
      resize?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [dark, shape, height]);

  useEffect(() => {
    plot.current?.setData(withRightColumn(data, Boolean(props.rightAxis)) as uPlot.AlignedData);
  }, [data, props.rightAxis]);

  // Arrow keys walk the points when the chart has focus; Home/End jump to either end.
  const onKeyDown = (e: React.KeyboardEvent) => {
    const u = plot.current;
    const n = u?.data[0].length ?? 0;
    if (!u || n === 0) return;
    const current = u.cursor.idx ?? n - 1;
    const next = e.key === "ArrowLeft" ? Math.max(0, current - 1) : e.key === "ArrowRight" ? Math.min(n - 1, current + 1) : e.key === "Home" ? 0 : e.key === "End" ? n - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const firstLine = u.data[1][next];
    u.setCursor({ left: u.valToPos(u.data[0][next], "x"), top: firstLine === null || firstLine === undefined ? u.over.clientHeight / 2 : u.valToPos(firstLine as number, "y") });
  };
  const onFocus = () => {
    const u = plot.current;
    if (u && u.data[0].length > 0 && (u.cursor.left ?? -1) < 0) onKeyDown({ key: "End", preventDefault() {} } as React.KeyboardEvent);
  };
  const onBlur = () => plot.current?.setCursor({ left: -10, top: -10 });

  const values = data.slice(1).map((col) => col.findLast((v) => v !== null) ?? null);
  const points = data[0]?.length ?? 0;
  return (
    <figure className="min-w-0" data-testid={testId} data-points={points}>
      <figcaption className="mb-1 flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
        <span className="font-medium text-slate-900 dark:text-slate-100">
          {title}
          {unitNote ? <span className="ml-2 text-xs font-normal text-slate-600 dark:text-slate-400">{unitNote}</span> : null}
        </span>
        <span className="font-mono text-xs text-slate-700 dark:text-slate-300" data-testid={`${testId}-now`}>
          {lines.map((l, i) => `${lines.length > 1 ? `${l.label} ` : "now "}${props.formatValue(values[i] ?? null)}`).join(" · ")}
        </span>
      </figcaption>
      <div
        className="relative rounded focus-visible:outline-2 focus-visible:outline-offset-2"
        tabIndex={0}
        role="img"
        aria-roledescription="chart"
        aria-label={`${title}${unitNote ? ` (${unitNote})` : ""}: ${points} points; use the arrow keys to read values.`}
        onKeyDown={onKeyDown}
        onFocus={onFocus}
        onBlur={onBlur}
      >
        <div ref={box} style={{ minHeight: height }} />
        {points === 0 ? (
          <p className="absolute inset-0 flex items-center justify-center text-sm text-slate-600 dark:text-slate-400">No samples in this range yet; they arrive every few seconds.</p>
        ) : null}
        {tip ? (
          <div
            role="tooltip"
            aria-live="polite"
            data-testid={`${testId}-tooltip`}
            className="pointer-events-none absolute z-10 whitespace-nowrap rounded border border-slate-200 bg-white px-2 py-1 text-xs shadow dark:border-slate-700 dark:bg-slate-900"
            style={{ left: Math.max(0, Math.min(tip.left + 12, tip.width - 150)), top: Math.max(0, tip.top - 48) }}
          >
            <div className="text-slate-600 dark:text-slate-400">{tip.time}</div>
            {tip.values.map((v) => (
              <div key={v} className="font-mono text-slate-900 dark:text-slate-100">
                {v}
              </div>
            ))}
          </div>
        ) : null}
      </div>
    </figure>
  );
}

/** uPlot needs a column for the hidden series that carries the right axis' scale. */
function withRightColumn(data: (number | null)[][], right: boolean): (number | null)[][] {
  return right ? [...data, data[0].map(() => null)] : data;
}
