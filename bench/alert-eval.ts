// Benchmark: one 30-second alert tick vs one grouped array pass over the same samples.
//
//   npx tsx bench/alert-eval.ts                  (1,000 rules, 100 containers, 10 min at 5 s)
//   BENCH_INTERVAL_S=1 BENCH_TICKS=100 npx tsx bench/alert-eval.ts   (10 min at 1 s: 601 samples each)
//   add --check to exit 1 on a missed target
//
// Time moves: every round advances the clock by 30 s, so 30 s of new samples arrive per
// container and as many leave the 10-minute history, as in a running engine.
//
// The tick is what AlertEngine does in memory for one organization between two ticks and in one:
// append the new samples to each container's incremental window (SampleWindow: running sums, old
// samples dropped by moving a start index) and hand out its summary, evaluate every periodic rule
// (scope matching, window means, certificates), and decide against the persisted states
// (cooldowns, resolutions of vanished targets). Not included: the database round trips (one
// transaction per organization per tick, measured separately by the integration tests) and the
// notifications.
//
// The baseline is the hand-written grouped pass a SQL `GROUP BY container` with one
// `avg(x) FILTER (WHERE t > now() - window)` per distinct window would do: one pass over every
// sample of the history accumulating sums per (container, distinct window), then one comparison
// per (rule, container in scope). Both must find the same firing set; the script checks that.
import { cpus, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { containerInScope, decide, evaluateTick, firingIndex, SampleWindow, stateKey, type ContainerFacts, type RuleSpec, type Sample, type SeriesSummary, type StateMap, type TickInputs } from "../app/server/alerts/evaluate";

const CONTAINERS = Number(process.env.BENCH_CONTAINERS ?? 100);
const RULES = Number(process.env.BENCH_RULES ?? 1000);
const INTERVAL_S = Number(process.env.BENCH_INTERVAL_S ?? 5);
const HISTORY_S = 600;
const TICKS = Number(process.env.BENCH_TICKS ?? 200);
const CHECK = process.argv.includes("--check");

// A deterministic generator, so every run measures the same data.
let seed = 42;
const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

const TICK_MS = 30_000;
const start = Date.parse("2026-11-25T12:00:00Z");
// Enough rounds of samples for warm-up, the measured ticks and the bursts.
const ROUNDS = 10 + 1 + TICKS + 1;
let now = start;
const stacks = ["shop", "blog", "mail", "ci", "db"];
const containers: ContainerFacts[] = Array.from({ length: CONTAINERS }, (_, i) => ({
  id: `c${i.toString().padStart(4, "0")}`,
  name: `${["web", "api", "worker", "db", "cache"][i % 5]}-${i}`,
  stack: stacks[i % stacks.length]!,
  labels: { team: i % 3 === 0 ? "ops" : "dev", tier: i % 2 ? "front" : "back" },
}));
/** Every sample of the run per container, in time order: the history before `start`, then the rounds' new ones. */
const raw = new Map<string, Sample[]>();
for (const c of containers) {
  const base = rand() * 100;
  const samples: Sample[] = [];
  for (let t = start - HISTORY_S * 1000; t <= start + ROUNDS * TICK_MS; t += INTERVAL_S * 1000) samples.push({ t, cpu: Math.max(0, base + (rand() - 0.5) * 30), mem: Math.min(100, base * 0.8 + rand() * 10) });
  raw.set(c.id, samples);
}
/** The engine's per-container windows, and how far into `raw` each has been fed. */
const windowsById = new Map(containers.map((c) => [c.id, new SampleWindow()]));
const fed = new Map(containers.map((c) => [c.id, 0]));

/** What arrives between two ticks: the samples up to `now`; what is older than the history leaves. */
function feed(): void {
  for (const [id, samples] of raw) {
    const win = windowsById.get(id)!;
    let i = fed.get(id)!;
    for (; i < samples.length && samples[i]!.t <= now; i++) win.push(samples[i]!);
    fed.set(id, i);
    win.trim(now - HISTORY_S * 1000);
  }
}

const windows = [60, 300, 600];
const scopes: RuleSpec["scope"][] = [{ all: true }, { stack: "shop" }, { namePattern: "web-*" }, { label: "team=ops" }, { namePattern: "*-1?" }];
const rules: RuleSpec[] = Array.from({ length: RULES }, (_, i) => {
  const type: RuleSpec["type"] = i % 10 < 4 ? "cpu" : i % 10 < 8 ? "memory" : i % 10 === 8 ? "restart_count" : "cert_expiry";
  return {
    id: `r${i}`,
    name: `rule ${i}`,
    type,
    scope: scopes[i % scopes.length]!,
    threshold: type === "cert_expiry" ? 14 : type === "restart_count" ? 3 : 40 + (i % 50),
    windowSeconds: windows[i % windows.length]!,
    cooldownSeconds: 900,
    channelIds: ["ch"],
    notifyOnResolve: true,
    enabled: true,
    maintenance: [],
  };
});
const certificates = Array.from({ length: 20 }, (_, i) => ({ id: `cert${i}`, domains: [`site${i}.example.com`], status: "issued", error: null, notAfter: start + i * 3 * 86_400_000 }));

const completeRules = new Set(rules.map((r) => r.id));

/** One tick at `now`; `arrive` also times feeding the samples that came in since the last one. */
function tick(states: StateMap, arrive: boolean): { firing: Set<string>; ms: number } {
  const started = performance.now();
  if (arrive) feed();
  const series = new Map<string, SeriesSummary>();
  for (const [id, win] of windowsById) if (win.size) series.set(id, win.summary());
  const input: TickInputs = { now, containers, series, history: new Map(), certificates, applyStates: [], disk: null };
  const index = firingIndex(states);
  const findings = evaluateTick(rules, input, index);
  decide(rules, findings, states, now, completeRules, index);
  const ms = performance.now() - started;
  // Checked against the states the tick leaves: every cpu/memory alert firing after it.
  const firing = new Set<string>();
  for (const [key, st] of states) {
    const [ruleId, target] = key.split("\u0000") as [string, string];
    const type = rules[Number(ruleId.slice(1))]!.type;
    if (st.state === "firing" && target.startsWith("container:") && (type === "cpu" || type === "memory")) firing.add(key);
  }
  return { firing, ms };
}

function groupedPass(): { firing: Set<string>; ms: number } {
  const started = performance.now();
  // One pass over all samples: sums and counts per (container, distinct window, metric).
  const distinct = [...new Set(rules.map((r) => r.windowSeconds))];
  const sums = new Map<string, Float64Array>(); // container → [cpuSum, cpuN, memSum, memN] per window
  for (const [id, all] of raw) {
    const acc = new Float64Array(distinct.length * 4);
    // WHERE t > now() - history AND t <= now(): the same samples the windows hold.
    const first = lowerIndex(all, now - HISTORY_S * 1000);
    const last = lowerIndex(all, now + 1);
    for (let k = first; k < last; k++) {
      const s = all[k]!;
      for (let w = 0; w < distinct.length; w++) {
        if (s.t < now - distinct[w]! * 1000) continue;
        if (s.cpu !== null) {
          acc[w * 4] += s.cpu;
          acc[w * 4 + 1]++;
        }
        if (s.mem !== null) {
          acc[w * 4 + 2] += s.mem;
          acc[w * 4 + 3]++;
        }
      }
    }
    sums.set(id, acc);
  }
  const firing = new Set<string>();
  for (const r of rules) {
    if (r.type !== "cpu" && r.type !== "memory") continue;
    const w = distinct.indexOf(r.windowSeconds);
    const o = r.type === "cpu" ? 0 : 2;
    for (const c of containers) {
      if (!containerInScope(r.scope, c)) continue;
      const acc = sums.get(c.id)!;
      if (acc[w * 4 + o + 1]! > 0 && acc[w * 4 + o]! / acc[w * 4 + o + 1]! >= r.threshold!) firing.add(stateKey(r.id, `container:${c.name}`));
    }
  }
  return { firing, ms: performance.now() - started };
}

function lowerIndex(samples: Sample[], t: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;

// Warm-up (JIT), then alternate so both see the same machine state. The first feed fills the
// 10-minute history; each later round brings 30 s of new samples.
feed();
const steady: StateMap = new Map();
for (let i = 0; i < 10; i++) {
  now += TICK_MS;
  tick(steady, true);
  groupedPass();
}
const tickMs: number[] = [];
const passMs: number[] = [];
const burstMs: number[] = [];
let mismatch = 0;
// Steady state: the states the previous tick left (what a running engine has every 30 s).
now += TICK_MS;
tick(steady, true);
for (let i = 0; i < TICKS; i++) {
  now += TICK_MS;
  const t = tick(steady, true);
  const g = groupedPass();
  tickMs.push(t.ms);
  passMs.push(g.ms);
  if (t.firing.size !== g.firing.size || [...g.firing].some((k) => !t.firing.has(k))) mismatch++;
  // Every tenth round also times a burst: every alert opening at once from empty states.
  if (i % 10 === 0) burstMs.push(tick(new Map(), false).ms);
}

const samplesPerContainer = windowsById.values().next().value!.size;
const p99Tick = pct(tickMs, 99);
const p99Pass = pct(passMs, 99);
const ratio = p99Tick / p99Pass;
console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, Node ${process.version}`);
console.log(`${RULES} rules (${rules.filter((r) => r.type === "cpu" || r.type === "memory").length} cpu/memory) × ${CONTAINERS} containers × ${samplesPerContainer} samples (10 min at ${INTERVAL_S} s, ${TICK_MS / 1000 / INTERVAL_S} new per container per tick); ${TICKS} ticks after 10 warm-up rounds`);
console.log("");
console.log("| measure | p50 | p99 | max | target | result |");
console.log("| --- | --- | --- | --- | --- | --- |");
console.log(`| one tick, steady state (append new samples + evaluate + decide) | ${pct(tickMs, 50).toFixed(2)} ms | ${p99Tick.toFixed(2)} ms | ${Math.max(...tickMs).toFixed(2)} ms | p99 < 1000 ms | ${p99Tick < 1000 ? "pass" : "FAIL"} |`);
console.log(`| grouped array pass (baseline) | ${pct(passMs, 50).toFixed(2)} ms | ${p99Pass.toFixed(2)} ms | ${Math.max(...passMs).toFixed(2)} ms | | |`);
console.log(`| burst: first tick, every alert opens (${steady.size} states) | ${pct(burstMs, 50).toFixed(2)} ms | ${pct(burstMs, 99).toFixed(2)} ms | ${Math.max(...burstMs).toFixed(2)} ms | | |`);
console.log(`| ratio tick / baseline (p99) | | ${ratio.toFixed(2)}× | | ≤ 3× | ${ratio <= 3 ? "pass" : "FAIL"} |`);
console.log("");
console.log(`Same firing set in every round: ${mismatch === 0 ? "yes" : `NO (${mismatch} rounds differ)`}`);
if (CHECK && (p99Tick >= 1000 || ratio > 3 || mismatch > 0)) process.exit(1);
