// CPU, memory and network charts of a container, or CPU and memory of an agent's host. They open
// with the history the server keeps (the page loader passes it) and append the agent's live
// stats rounds from the /ui socket. The range (1 h / 6 h / 24 h) is a link (`?range=`), so the
// loader serves the history of the chosen range and the URL can be shared.
import { Link, useSearchParams } from "@remix-run/react";
import { useCallback, useMemo, useState } from "react";
import { useOnConnect, type UiSocket } from "~/components/containers/use-ui-socket";
import { formatBytes } from "~/components/containers/format";
import type { StatsHistorySeries } from "#agent/stats-history";
import { mergeLive, rateOf, RANGES, toColumns, type LivePoint, type LiveSample } from "./series";
import { TimeChart } from "./time-chart";

const BLUE: [string, string] = ["#1f63d8", "#60a5fa"];
const VIOLET: [string, string] = ["#7c3aed", "#c4b5fd"];
const GREEN: [string, string] = ["#15803d", "#4ade80"];

const pct = (v: number | null) => (v === null || !Number.isFinite(v) ? "—" : `${v >= 10 ? Math.round(v) : v.toFixed(1)} %`);
const rate = (v: number | null) => (v === null ? "—" : `${formatBytes(v)}/s`);
const bytes = (v: number | null) => formatBytes(v);
const wholePercent = (v: number) => `${Math.round(v)} %`;
const quarters = (min: number, max: number) => [0, 0.25, 0.5, 0.75, 1].map((f) => min + (max - min) * f);

/** The range links; they keep the page's other search parameters (the tab). */
export function RangePicker({ range }: { range: string }) {
  const [params] = useSearchParams();
  return (
    <nav aria-label="Time range" className="inline-flex rounded-md border border-slate-300 text-sm dark:border-slate-700" data-testid="range-picker">
      {RANGES.map((r) => {
        const next = new URLSearchParams(params);
        next.set("range", r.id);
        return (
          <Link
            key={r.id}
            to={`?${next}`}
            replace
            preventScrollReset
            aria-current={r.id === range ? "true" : undefined}
            className={`px-3 py-1 first:rounded-l-md last:rounded-r-md ${r.id === range ? "bg-brand-600 font-medium text-white dark:bg-brand-500 dark:text-slate-950" : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"}`}
          >
            {r.label}
          </Link>
        );
      })}
    </nav>
  );
}

/** History from the loader plus live rounds (callers remount with a new `key` when the loader serves another history) of `pick` (this container, or the host) from the agent's feed. */
function useLiveSeries(socket: UiSocket | null, agentId: string, history: StatsHistorySeries, pick: (p: StatsPayload) => RawSample | null) {
  const [points, setPoints] = useState<LivePoint[]>(history.points);
  const [limit, setLimit] = useState(history.memoryLimitBytes);
  const rangeMs = RANGES.find((r) => r.id === history.range)?.ms ?? 3_600_000;
  const subscribe = useCallback(
    (s: UiSocket) => {
      let previous: { timeMs: number; rx: number; tx: number } | null = null;
      const onStats = (payload: StatsPayload) => {
        if (payload.agentId !== agentId) return;
        const raw = pick(payload);
        if (!raw) return;
        const timeMs = Date.parse(raw.time);
        const sample: LiveSample = {
          timeMs,
          cpuPercent: raw.cpuPercent,
          memoryBytes: raw.memoryBytes,
          networkRxBytesPerSecond: raw.rx === undefined ? null : rateOf(previous && { timeMs: previous.timeMs, value: previous.rx }, timeMs, raw.rx),
          networkTxBytesPerSecond: raw.tx === undefined ? null : rateOf(previous && { timeMs: previous.timeMs, value: previous.tx }, timeMs, raw.tx),
        };
        if (raw.rx !== undefined && raw.tx !== undefined) previous = { timeMs, rx: raw.rx, tx: raw.tx };
        if (raw.limit) setLimit(raw.limit);
        setPoints((list) => mergeLive(list, sample, history.stepMs, rangeMs));
      };
      s.on("containers:stats", onStats);
      s.emit("containers:subscribe", { agentId });
      return () => {
        s.off("containers:stats", onStats);
        s.emit("containers:unsubscribe", { agentId });
      };
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `pick` is recreated each render; its inputs are these
    [agentId, history.stepMs, rangeMs],
  );
  useOnConnect(socket, subscribe);
  // The x axis ends at the newest of the loader's time and the last live point.
  const lastPoint = points.at(-1);
  const now = Math.max(Date.parse(history.to), lastPoint ? Date.parse(lastPoint.time) + history.stepMs : 0);
  const xRange: [number, number] = [(now - rangeMs) / 1000, now / 1000];
  return { points, limit, xRange };
}

type StatsPayload = Parameters<import("~/realtime/events").ServerToClientEvents["containers:stats"]>[0];
interface RawSample {
  time: string;
  cpuPercent: number | null;
  memoryBytes: number;
  limit: number;
  rx?: number;
  tx?: number;
}

export function ContainerUsageCharts({ socket, agentId, containerId, history }: { socket: UiSocket | null; agentId: string; containerId: string; history: StatsHistorySeries }) {
  const pick = (p: StatsPayload): RawSample | null => {
    const x = p.items.find((i) => i.id === containerId);
    return x ? { time: x.time, cpuPercent: x.cpuPercent, memoryBytes: x.memoryBytes, limit: x.memoryLimitBytes, rx: x.networkRxBytes, tx: x.networkTxBytes } : null;
  };
  const { points, limit, xRange } = useLiveSeries(socket, agentId, history, pick);
  const cpu = useMemo(() => toColumns(points, history.stepMs, ["cpuPercent"]), [points, history.stepMs]);
  const memory = useMemo(() => toColumns(points, history.stepMs, ["memoryBytes"]), [points, history.stepMs]);
  const network = useMemo(() => toColumns(points, history.stepMs, ["networkRxBytesPerSecond", "networkTxBytesPerSecond"]), [points, history.stepMs]);
  return (
    <section aria-label="Usage" className="flex flex-col gap-4" data-testid="usage-charts">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-base font-semibold">Usage</h2>
        <RangePicker range={history.range} />
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <TimeChart title="CPU" unitNote="100 % = one core" testId="chart-cpu" data={cpu} lines={[{ label: "CPU", color: BLUE }]} xRange={xRange} yRange={(max) => [0, Math.max(100, Math.ceil(max / 100) * 100)]} formatValue={pct} formatTick={wholePercent} ySplits={quarters} />
        <MemoryChart data={memory} limit={limit} xRange={xRange} note="of its limit" />
        <TimeChart
          title="Network"
          unitNote="received and sent"
          testId="chart-network"
          data={network}
          lines={[
            { label: "in", color: GREEN },
            { label: "out", color: VIOLET },
          ]}
          xRange={xRange}
          yRange={(max) => [0, Math.max(1024, max * 1.15)]}
          formatValue={rate}
          formatTick={(v) => rate(v)}
        />
      </div>
    </section>
  );
}

function MemoryChart({ data, limit, xRange, note }: { data: (number | null)[][]; limit: number | null; xRange: [number, number]; note: string }) {
  const top = limit && limit > 0 ? limit : null;
  return (
    <TimeChart
      title="Memory"
      unitNote={top ? `${note}: ${formatBytes(top)}` : undefined}
      testId="chart-memory"
      data={data}
      lines={[{ label: "Memory", color: VIOLET }]}
      xRange={xRange}
      yRange={(max) => [0, top ?? Math.max(max * 1.15, 1024 * 1024)]}
      formatValue={(v) => (v !== null && top ? `${bytes(v)} (${pct((v / top) * 100)})` : bytes(v))}
      formatTick={(v) => bytes(v)}
      ySplits={top ? quarters : undefined}
      rightAxis={top ? { range: [0, 100], format: (v) => `${Math.round(v)} %` } : undefined}
    />
  );
}

export function HostUsageCharts({ socket, agentId, history }: { socket: UiSocket | null; agentId: string; history: StatsHistorySeries }) {
  const pick = (p: StatsPayload): RawSample | null => (p.host ? { time: p.host.time, cpuPercent: p.host.cpuPercent, memoryBytes: p.host.memoryBytes, limit: p.host.memoryTotalBytes } : null);
  const { points, limit, xRange } = useLiveSeries(socket, agentId, history, pick);
  const cpu = useMemo(() => toColumns(points, history.stepMs, ["cpuPercent"]), [points, history.stepMs]);
  const memory = useMemo(() => toColumns(points, history.stepMs, ["memoryBytes"]), [points, history.stepMs]);
  const cores = history.cpuCount ? `100 % = all ${history.cpuCount} cores` : "100 % = all cores";
  return (
    <section aria-label="Host usage" className="flex flex-col gap-4" data-testid="host-charts">
      <div className="flex flex-wrap items-center justify-end gap-2">
        <RangePicker range={history.range} />
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <TimeChart title="CPU" unitNote={cores} testId="chart-cpu" data={cpu} lines={[{ label: "CPU", color: BLUE }]} xRange={xRange} yRange={() => [0, 100]} formatValue={pct} formatTick={wholePercent} ySplits={quarters} />
        <MemoryChart data={memory} limit={limit} xRange={xRange} note="of installed" />
      </div>
    </section>
  );
}
