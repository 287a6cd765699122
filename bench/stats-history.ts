// The agent's usage history (decision 105): the cost of recording one sampling round and of
// serving one chart, and the memory it holds, for 100 containers over a simulated day of 5-s
// rounds. Pure, in memory. Targets, on the median (p99 on a shared 2-core machine measures the
// other processes and GC; it is printed too): a round records in < 1 ms (the sampler's own round
// at 100 containers takes ~9 ms warm), a chart's query answers in < 5 ms, < 100 KB per series.
// `npx tsx bench/stats-history.ts [--containers N] [--check]`
import { StatsHistory } from "../agent/stats-history";
import type { ContainerStats } from "../agent/types";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const containers = arg("containers", 100);
const check = process.argv.includes("--check");
const ids = Array.from({ length: containers }, (_, i) => `c${i.toString().padStart(63, "0")}`);
const start = Date.UTC(2026, 11, 3);
const rounds = (24 * 3600) / 5;

global.gc?.();
const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const history = new StatsHistory();
const recordMs: number[] = [];
for (let r = 0; r < rounds; r++) {
  const t = start + r * 5_000;
  const time = new Date(t).toISOString();
  const batch: ContainerStats[] = ids.map((id, i) => ({ id, time, cpuPercent: (r + i) % 100, memoryBytes: 1e8 + i, memoryLimitBytes: 2e9, networkRxBytes: r * 1000, networkTxBytes: r * 500 }));
  const host = { time, cpuPercent: 10, cpuCount: 2, memoryBytes: 1e9, memoryTotalBytes: 8e9 };
  const t0 = performance.now();
  history.record(batch, host, t);
  recordMs.push(performance.now() - t0);
}
global.gc?.();
const heapAfter = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const end = start + rounds * 5_000;
const queryMs: Record<string, number[]> = { "1h": [], "6h": [], "24h": [] };
for (let i = 0; i < 50; i++) {
  for (const range of ["1h", "6h", "24h"] as const) {
    const t0 = performance.now();
    history.query(ids[i % containers], range, end);
    queryMs[range].push(performance.now() - t0);
  }
}
const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)];
const perContainerKb = (heapAfter - heapBefore) / 1024 / (containers + 1);
const rows = [
  ["record one round, p50 / p99", `${p(recordMs, 0.5).toFixed(3)} / ${p(recordMs, 0.99).toFixed(3)} ms`, p(recordMs, 0.5) < 1],
  ...(["1h", "6h", "24h"] as const).map((r) => [`query ${r}, p50 / p99 (${history.query(ids[0], r, end).points.length} points)`, `${p(queryMs[r], 0.5).toFixed(3)} / ${p(queryMs[r], 0.99).toFixed(3)} ms`, p(queryMs[r], 0.5) < 5] as const),
  ["memory per series (heap + array buffers)", `${perContainerKb.toFixed(1)} KB`, perContainerKb < 100],
] as const;
console.log(`load average ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" ")}\n`);
console.log(`| measure (${containers} containers + host, ${rounds} rounds) | value | target met |\n| --- | --- | --- |`);
for (const [name, value, ok] of rows) console.log(`| ${name} | ${value} | ${ok ? "yes" : "NO"} |`);
if (check && rows.some((r) => !r[2])) process.exit(1);
