// Alert evaluation as pure functions: rules + observations (container events, metric samples,
// certificates, apply results, disk) + the persisted state of each (rule, target) → decisions
// (fire / resolve, notify or not). No I/O, no clock: `now` is passed in. The engine
// (engine.server.ts) gathers the inputs, persists the decisions and delivers the notifications.
import type { MaintenanceWindow, RuleScope, RuleType } from "~/validation/alerts";

export interface RuleSpec {
  id: string;
  name: string;
  type: RuleType;
  scope: RuleScope;
  threshold: number | null;
  windowSeconds: number;
  cooldownSeconds: number;
  channelIds: string[];
  notifyOnResolve: boolean;
  enabled: boolean;
  maintenance: MaintenanceWindow[];
}

export interface ContainerFacts {
  id: string;
  name: string;
  stack: string | null;
  labels: Record<string, string>;
}

/** An observation about one (rule, target): firing, fine, or not enough data to say. */
export interface Finding {
  ruleId: string;
  target: string;
  targetName: string;
  status: "firing" | "ok" | "unknown";
  value: number | null;
  /** null for metric findings: the text is built only for the few that become decisions. */
  message: string | null;
}

function textOf(rule: RuleSpec, f: Finding): string {
  if (f.message !== null) return f.message;
  const what = rule.type === "cpu" ? "CPU at" : "memory at";
  const unit = rule.type === "cpu" ? " %" : " % of its limit";
  return `${what} ${f.value}${unit} on average over ${formatWindow(rule.windowSeconds)} (threshold ${rule.threshold} %)`;
}

export interface StateSnapshot {
  state: "firing" | "ok";
  /** ms since epoch */
  lastNotifiedAt: number | null;
  /** The current firing was notified. */
  notified: boolean;
  eventId: string | null;
}

export type StateMap = Map<string, StateSnapshot>;
export const stateKey = (ruleId: string, target: string) => `${ruleId}\u0000${target}`;

export interface Decision {
  rule: RuleSpec;
  target: string;
  targetName: string;
  kind: "fire" | "resolve";
  value: number | null;
  message: string;
  notify: boolean;
  /** Why a firing was not notified. */
  suppressed: "cooldown" | "maintenance" | null;
  /** For a resolve: the history entry it closes. */
  eventId: string | null;
}

export const CONTAINER_RULES: ReadonlySet<RuleType> = new Set(["container_crash", "container_stopped", "restart_count", "cpu", "memory", "health_unhealthy"]);
export const EVENT_RULES: ReadonlySet<RuleType> = new Set(["container_crash", "container_stopped", "health_unhealthy", "restart_count"]);
export const TICK_RULES: ReadonlySet<RuleType> = new Set(["restart_count", "cpu", "memory", "cert_expiry", "cert_renewal_failed", "proxy_apply_failed", "disk"]);

// ---------------------------------------------------------------------------------------------
// Scope and maintenance

const globCache = new Map<string, RegExp>();
/** `web-*`, `db?`: shell-style globs, anchored, case-sensitive like container names. */
export function globToRegExp(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    re = new RegExp(`^${body}$`);
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re;
}

export function containerInScope(scope: RuleScope, c: Pick<ContainerFacts, "name" | "stack" | "labels">): boolean {
  if ("all" in scope) return true;
  if ("stack" in scope) return c.stack === scope.stack;
  if ("namePattern" in scope) return globToRegExp(scope.namePattern).test(c.name);
  const eq = scope.label.indexOf("=");
  if (eq === -1) return scope.label in c.labels;
  return c.labels[scope.label.slice(0, eq)] === scope.label.slice(eq + 1);
}

/** Certificates are scoped by their domains (namePattern); other scopes match every certificate. */
function certificateInScope(scope: RuleScope, domains: string[]): boolean {
  if ("namePattern" in scope) return domains.some((d) => globToRegExp(scope.namePattern).test(d));
  return true;
}

export function inMaintenance(windows: MaintenanceWindow[], now: number): boolean {
  const d = new Date(now);
  const minutes = d.getUTCHours() * 60 + d.getUTCMinutes();
  for (const w of windows) {
    if ("start" in w) {
      if (now >= Date.parse(w.start) && now < Date.parse(w.end)) return true;
      continue;
    }
    const from = toMinutes(w.from);
    const to = toMinutes(w.to);
    const day = d.getUTCDay();
    if (from <= to) {
      if (w.weekdays.includes(day) && minutes >= from && minutes < to) return true;
    } else if ((w.weekdays.includes(day) && minutes >= from) || (w.weekdays.includes((day + 6) % 7) && minutes < to)) {
      // An overnight window (22:00–02:00) belongs to the day it starts on.
      return true;
    }
  }
  return false;
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

// ---------------------------------------------------------------------------------------------
// Container events

export interface EventFacts {
  /** ms since epoch */
  time: number;
  action: string;
  container: ContainerFacts;
  exitCode: number | null;
  health: string | null;
}

/** Events Docker sends for a stop that someone asked for (`docker stop`, `docker kill`, the API). */
const REQUESTED_STOP_MS = 5 * 60_000;

/** Whether this `die` is a crash: exit code ≠ 0 or OOM-killed, and not a requested stop. */
export function crashOf(event: EventFacts, before: EventFacts[]): { crashed: boolean; oom: boolean } {
  if (event.action !== "die") return { crashed: false, oom: false };
  const recent = (action: string, withinMs: number) => before.some((e) => e.action === action && event.time - e.time <= withinMs && e.time <= event.time);
  const oom = recent("oom", 30_000);
  if (oom) return { crashed: true, oom };
  // A requested stop starts with a `kill` event (SIGTERM, then SIGKILL after the timeout).
  const requested = before.some((e) => (e.action === "kill" || e.action === "stop") && event.time - e.time <= REQUESTED_STOP_MS && e.time <= event.time && !before.some((s) => s.action === "start" && s.time > e.time));
  return { crashed: !requested && event.exitCode !== null && event.exitCode !== 0, oom: false };
}

/** Restarts (a start after a die, or Docker's restart) within the window ending at `now`. */
export function countRestarts(history: EventFacts[], now: number, windowSeconds: number): number {
  const from = now - windowSeconds * 1000;
  let count = 0;
  let sawDie = false;
  for (const e of history) {
    if (e.action === "die") sawDie = true;
    else if (e.action === "restart" || (e.action === "start" && sawDie)) {
      if (e.time >= from && e.time <= now) count++;
      sawDie = false;
    }
  }
  return count;
}

const targetCache = new WeakMap<ContainerFacts, string>();
/** `container:<name>`: names survive re-creation (compose), ids do not. Cached per facts object. */
function containerTarget(c: ContainerFacts): string {
  let t = targetCache.get(c);
  if (t === undefined) targetCache.set(c, (t = `container:${c.name}`));
  return t;
}

/** Findings of event-driven rules for one event; `before` = this container's earlier events. */
export function evaluateEvent(rules: RuleSpec[], event: EventFacts, before: EventFacts[]): Finding[] {
  const findings: Finding[] = [];
  const c = event.container;
  const base = (rule: RuleSpec) => ({ ruleId: rule.id, target: containerTarget(c), targetName: c.name });
  for (const rule of rules) {
    if (!rule.enabled || !EVENT_RULES.has(rule.type) || !containerInScope(rule.scope, c)) continue;
    switch (rule.type) {
      case "container_crash": {
        if (event.action === "die") {
          const { crashed, oom } = crashOf(event, before);
          if (crashed) {
            const message = oom ? `was killed: out of memory (OOM), exit code ${event.exitCode ?? "?"}` : `crashed: exited with code ${event.exitCode}`;
            findings.push({ ...base(rule), status: "firing", value: event.exitCode, message });
          }
        } else if (event.action === "start" || event.action === "destroy") {
          findings.push({ ...base(rule), status: "ok", value: null, message: event.action === "start" ? "is running again" : "was removed" });
        }
        break;
      }
      case "container_stopped": {
        if (event.action === "die") {
          findings.push({ ...base(rule), status: "firing", value: event.exitCode, message: `stopped (exit code ${event.exitCode ?? "?"})` });
        } else if (event.action === "start" || event.action === "destroy") {
          findings.push({ ...base(rule), status: "ok", value: null, message: event.action === "start" ? "is running again" : "was removed" });
        }
        break;
      }
      case "health_unhealthy": {
        if (event.action === "health_status" && event.health === "unhealthy") {
          findings.push({ ...base(rule), status: "firing", value: null, message: "health check is failing (unhealthy)" });
        } else if ((event.action === "health_status" && event.health === "healthy") || event.action === "destroy") {
          findings.push({ ...base(rule), status: "ok", value: null, message: event.action === "destroy" ? "was removed" : "is healthy again" });
        }
        break;
      }
      case "restart_count": {
        if (event.action !== "start" && event.action !== "restart") break;
        const n = countRestarts([...before, event], event.time, rule.windowSeconds);
        if (n >= (rule.threshold ?? Infinity)) {
          findings.push({ ...base(rule), status: "firing", value: n, message: `restarted ${n} times in ${formatWindow(rule.windowSeconds)}` });
        }
        break;
      }
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Crashes while InfraPilot was not running

/** An exited container as Docker reports it at start-up (inspect's State). */
export interface ExitedContainer {
  container: ContainerFacts;
  exitCode: number | null;
  oomKilled: boolean;
  /** State.FinishedAt, ms since epoch. */
  finishedAt: number;
}

/** What was persisted before: each crash rule's creation, and the (rule, target) states. */
export interface CrashBaseline {
  ruleCreatedAt: Map<string, number>;
  /** By stateKey: the state and when it last changed. */
  states: Map<string, { state: string; since: number }>;
}

/**
 * Crash findings for containers that exited while the event stream was not followed. A container
 * counts when it exited non-zero (or was OOM-killed) *after* its (rule, target) state last
 * changed and after the rule was created, and that state is not already firing, so each such
 * crash is reported once however often InfraPilot restarts. Exit codes 137 and 143 without an
 * OOM kill are SIGKILL/SIGTERM, what `docker stop` produces: without the events they cannot be
 * told from a requested stop, so they are not reported.
 */
export function downtimeCrashes(rules: RuleSpec[], exited: ExitedContainer[], baseline: CrashBaseline): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    if (!rule.enabled || rule.type !== "container_crash") continue;
    const createdAt = baseline.ruleCreatedAt.get(rule.id);
    if (createdAt === undefined) continue;
    for (const x of exited) {
      if (!containerInScope(rule.scope, x.container)) continue;
      const crashed = x.oomKilled || (x.exitCode !== null && x.exitCode !== 0 && x.exitCode !== 137 && x.exitCode !== 143);
      if (!crashed || !Number.isFinite(x.finishedAt)) continue;
      const target = containerTarget(x.container);
      const state = baseline.states.get(stateKey(rule.id, target));
      if (state?.state === "firing" || x.finishedAt <= Math.max(createdAt, state?.since ?? 0)) continue;
      const at = new Date(x.finishedAt).toISOString();
      const what = x.oomKilled ? `was killed: out of memory (OOM), exit code ${x.exitCode ?? "?"}` : `crashed: exited with code ${x.exitCode}`;
      findings.push({ ruleId: rule.id, target, targetName: x.container.name, status: "firing", value: x.exitCode, message: `${what} at ${at}, while InfraPilot was not running` });
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Windowed metrics

/** One container's samples, oldest first, with prefix sums for O(log n) window means. */
export interface SeriesSummary {
  /** ms since epoch, ascending */
  t: Float64Array;
  cpuPrefix: Float64Array;
  cpuCount: Uint32Array;
  memPrefix: Float64Array;
  memCount: Uint32Array;
  /** When this container's series began (first sample seen). */
  firstAt: number;
}

export interface Sample {
  t: number;
  cpu: number | null;
  /** Percent of the memory limit. */
  mem: number | null;
}

export function summarize(samples: readonly Sample[]): SeriesSummary {
  const n = samples.length;
  const s: SeriesSummary = {
    t: new Float64Array(n),
    cpuPrefix: new Float64Array(n + 1),
    cpuCount: new Uint32Array(n + 1),
    memPrefix: new Float64Array(n + 1),
    memCount: new Uint32Array(n + 1),
    firstAt: n ? samples[0]!.t : 0,
  };
  for (let i = 0; i < n; i++) {
    const x = samples[i]!;
    s.t[i] = x.t;
    const cpuOk = x.cpu !== null && Number.isFinite(x.cpu);
    const memOk = x.mem !== null && Number.isFinite(x.mem);
    s.cpuPrefix[i + 1] = s.cpuPrefix[i]! + (cpuOk ? x.cpu! : 0);
    s.cpuCount[i + 1] = s.cpuCount[i]! + (cpuOk ? 1 : 0);
    s.memPrefix[i + 1] = s.memPrefix[i]! + (memOk ? x.mem! : 0);
    s.memCount[i + 1] = s.memCount[i]! + (memOk ? 1 : 0);
  }
  return s;
}

/**
 * One container's samples kept incrementally between ticks: each sample is appended once with
 * its running sums (prefix sums), old samples are dropped by moving a start index, and
 * `summary()` hands out views of the live arrays. Nothing is rebuilt per tick; the arrays are
 * compacted (and the sums rebased, so they never grow without bound) only when half of the
 * buffer is dead. Pure: no clock, no I/O.
 */
export class SampleWindow {
  private t = new Float64Array(64);
  private cpuP = new Float64Array(65);
  private cpuN = new Uint32Array(65);
  private memP = new Float64Array(65);
  private memN = new Uint32Array(65);
  /** Live samples are [head, end). */
  private head = 0;
  private end = 0;
  private cached: SeriesSummary | null = null;

  get size(): number {
    return this.end - this.head;
  }

  /** Appends a sample; samples must arrive in time order (an older one is dropped). */
  push(x: Sample): void {
    if (this.end > this.head && x.t < this.t[this.end - 1]!) return;
    if (this.end === this.t.length) this.makeRoom();
    const i = this.end;
    const cpuOk = x.cpu !== null && Number.isFinite(x.cpu);
    const memOk = x.mem !== null && Number.isFinite(x.mem);
    this.t[i] = x.t;
    this.cpuP[i + 1] = this.cpuP[i]! + (cpuOk ? x.cpu! : 0);
    this.cpuN[i + 1] = this.cpuN[i]! + (cpuOk ? 1 : 0);
    this.memP[i + 1] = this.memP[i]! + (memOk ? x.mem! : 0);
    this.memN[i + 1] = this.memN[i]! + (memOk ? 1 : 0);
    this.end = i + 1;
    this.cached = null;
  }

  /** Drops samples older than `keepFrom` (ms) and all but the newest `maxSamples`. */
  trim(keepFrom: number, maxSamples = Infinity): void {
    let head = Math.max(this.head, this.end - maxSamples);
    const live = this.t.subarray(0, this.end);
    if (head < this.end && live[head]! < keepFrom) head = lowerBound(live, keepFrom);
    if (head !== this.head) {
      this.head = Math.min(head, this.end);
      this.cached = null;
    }
  }

  /** The live samples as a SeriesSummary (views, valid until the next push or trim). */
  summary(): SeriesSummary {
    if (!this.cached) {
      const { head, end } = this;
      this.cached = {
        t: this.t.subarray(head, end),
        cpuPrefix: this.cpuP.subarray(head, end + 1),
        cpuCount: this.cpuN.subarray(head, end + 1),
        memPrefix: this.memP.subarray(head, end + 1),
        memCount: this.memN.subarray(head, end + 1),
        firstAt: end > head ? this.t[head]! : 0,
      };
    }
    return this.cached;
  }

  /** Full buffer: move the live part to the front (rebasing the sums) or, if mostly live, grow. */
  private makeRoom(): void {
    const live = this.end - this.head;
    const capacity = live * 2 > this.t.length ? this.t.length * 2 : this.t.length;
    const t = new Float64Array(capacity);
    const cpuP = new Float64Array(capacity + 1);
    const cpuN = new Uint32Array(capacity + 1);
    const memP = new Float64Array(capacity + 1);
    const memN = new Uint32Array(capacity + 1);
    t.set(this.t.subarray(this.head, this.end));
    const [c0, n0, m0, k0] = [this.cpuP[this.head]!, this.cpuN[this.head]!, this.memP[this.head]!, this.memN[this.head]!];
    for (let i = 0; i <= live; i++) {
      cpuP[i] = this.cpuP[this.head + i]! - c0;
      cpuN[i] = this.cpuN[this.head + i]! - n0;
      memP[i] = this.memP[this.head + i]! - m0;
      memN[i] = this.memN[this.head + i]! - k0;
    }
    Object.assign(this, { t, cpuP, cpuN, memP, memN, head: 0, end: live, cached: null });
  }
}

function lowerBound(t: Float64Array, value: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Mean of a metric over the window ending at `now`, or null when the series does not cover the
 * window yet (a container watched for less than the window, e.g. just after InfraPilot started).
 * `slackMs` tolerates one sampling interval of jitter at the window's start.
 */
export function windowMean(s: SeriesSummary, metric: "cpu" | "mem", now: number, windowSeconds: number, slackMs: number): number | null {
  if (s.t.length === 0 || s.firstAt > now - windowSeconds * 1000 + slackMs) return null;
  const i = lowerBound(s.t, now - windowSeconds * 1000);
  const n = s.t.length;
  const prefix = metric === "cpu" ? s.cpuPrefix : s.memPrefix;
  const count = metric === "cpu" ? s.cpuCount : s.memCount;
  const k = count[n]! - count[i]!;
  if (k === 0) return null;
  return (prefix[n]! - prefix[i]!) / k;
}

export interface CertificateFacts {
  id: string;
  domains: string[];
  status: string;
  error: string | null;
  /** ms since epoch */
  notAfter: number | null;
}

export interface TickInputs {
  now: number;
  /** Running containers, with their series by container id. */
  containers: ContainerFacts[];
  series: Map<string, SeriesSummary>;
  /** Recent events per container name (restart counting). */
  history: Map<string, EventFacts[]>;
  certificates: CertificateFacts[];
  applyStates: { agentId: string; agentName: string; state: string; message: string | null }[];
  disk: { path: string; usedPercent: number } | null;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
/** Clock jitter between the sampler's timestamps and the tick. */
const COVERAGE_SLACK_MS = 1_000;

export function formatWindow(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * What many rules of one tick share, computed once: a container's target key, which containers a
 * scope matches, and each container's mean per (metric, window). 1,000 rules over 100 containers
 * use a handful of distinct scopes and windows, so a tick makes a few hundred window means
 * instead of 100,000.
 */
function tickMemo(input: TickInputs) {
  const { containers } = input;
  const scopes = new Map<string, Uint8Array>();
  const means = new Map<string, Float64Array>();
  let targets: string[] | null = null;
  return {
    get targets(): string[] {
      return (targets ??= containers.map(containerTarget));
    },
    scope(scope: RuleScope): Uint8Array {
      const key = "all" in scope ? "a" : "stack" in scope ? `s${scope.stack}` : "namePattern" in scope ? `n${scope.namePattern}` : `l${scope.label}`;
      let hit = scopes.get(key);
      if (!hit) scopes.set(key, (hit = Uint8Array.from(containers, (c) => (containerInScope(scope, c) ? 1 : 0))));
      return hit;
    },
    /** NaN where the series does not cover the window (or there is none). */
    means(metric: "cpu" | "mem", windowSeconds: number): Float64Array {
      const key = `${metric}${windowSeconds}`;
      let hit = means.get(key);
      if (!hit) {
        hit = new Float64Array(containers.length);
        for (let i = 0; i < containers.length; i++) {
          const s = input.series.get(containers[i]!.id);
          // The series must reach back a whole window: "above X for N minutes" means observed for N.
          hit[i] = (s ? windowMean(s, metric, input.now, windowSeconds, COVERAGE_SLACK_MS) : null) ?? NaN;
        }
        means.set(key, hit);
      }
      return hit;
    },
  };
}

/**
 * Findings of the periodic rules. Every rule it covers is evaluated completely: a target with
 * no finding here (a container that stopped, a certificate that was deleted) is no longer firing.
 */
export function evaluateTick(rules: RuleSpec[], input: TickInputs, firing?: FiringIndex): Finding[] {
  const findings: Finding[] = [];
  // With the firing index, "fine" findings are made only where they resolve something: a tick
  // over 1,000 rules × 100 containers then allocates a few thousand findings instead of 100,000.
  const memo = tickMemo(input);
  for (const rule of rules) {
    if (!rule.enabled || !TICK_RULES.has(rule.type)) continue;
    const threshold = rule.threshold ?? Infinity;
    switch (rule.type) {
      case "cpu":
      case "memory": {
        const metric = rule.type === "cpu" ? "cpu" : "mem";
        const inScope = memo.scope(rule.scope);
        const means = memo.means(metric, rule.windowSeconds);
        const firingHere = firing?.get(rule.id);
        for (let ci = 0; ci < input.containers.length; ci++) {
          if (!inScope[ci]) continue;
          const c = input.containers[ci]!;
          const m = means[ci]!;
          const mean = Number.isNaN(m) ? null : m;
          const t = memo.targets[ci]!;
          if (mean !== null && mean < threshold && firing !== undefined && !(firingHere?.has(t) ?? false)) continue;
          if (mean === null) findings.push({ ruleId: rule.id, target: t, targetName: c.name, status: "unknown", value: null, message: "not enough samples yet" });
          else
            findings.push({
              ruleId: rule.id,
              target: t,
              targetName: c.name,
              status: mean >= threshold ? "firing" : "ok",
              value: round1(mean),
              message: null,
            });
        }
        break;
      }
      case "restart_count": {
        for (const [name, events] of input.history) {
          const facts = events[events.length - 1]?.container;
          if (!facts || !containerInScope(rule.scope, facts)) continue;
          const n = countRestarts(events, input.now, rule.windowSeconds);
          findings.push({ ruleId: rule.id, target: `container:${name}`, targetName: name, status: n >= threshold ? "firing" : "ok", value: n, message: `restarted ${n} times in ${formatWindow(rule.windowSeconds)}` });
        }
        break;
      }
      case "cert_expiry": {
        for (const cert of input.certificates) {
          if (cert.notAfter === null || !certificateInScope(rule.scope, cert.domains)) continue;
          const days = (cert.notAfter - input.now) / 86_400_000;
          const name = cert.domains[0] ?? cert.id;
          const message = days <= 0 ? `certificate expired ${round1(-days)} days ago` : `certificate expires in ${round1(days)} days (${new Date(cert.notAfter).toISOString().slice(0, 10)})`;
          findings.push({ ruleId: rule.id, target: `certificate:${cert.id}`, targetName: name, status: days <= threshold ? "firing" : "ok", value: round1(days), message });
        }
        break;
      }
      case "cert_renewal_failed": {
        for (const cert of input.certificates) {
          if (!certificateInScope(rule.scope, cert.domains)) continue;
          const failed = cert.status === "error";
          findings.push({
            ruleId: rule.id,
            target: `certificate:${cert.id}`,
            targetName: cert.domains[0] ?? cert.id,
            status: failed ? "firing" : "ok",
            value: null,
            message: failed ? `certificate renewal failed: ${cert.error ?? "no reason recorded"}` : "certificate is fine",
          });
        }
        break;
      }
      case "proxy_apply_failed": {
        for (const a of input.applyStates) {
          const failed = a.state === "error";
          findings.push({
            ruleId: rule.id,
            target: `proxy:${a.agentId}`,
            targetName: `nginx on ${a.agentName}`,
            status: failed ? "firing" : "ok",
            value: null,
            message: failed ? `proxy configuration apply failed: ${(a.message ?? "no output").slice(0, 500)}` : "proxy configuration applied",
          });
        }
        break;
      }
      case "disk": {
        if (!input.disk) break;
        const used = round1(input.disk.usedPercent);
        findings.push({ ruleId: rule.id, target: "disk:data", targetName: `disk of ${input.disk.path}`, status: used >= threshold ? "firing" : "ok", value: used, message: `${used} % used (threshold ${threshold} %)` });
        break;
      }
    }
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// From findings to decisions

/**
 * Turns findings into fire/resolve decisions against the current states, updating `states` in
 * place so that a batch of events (die, start, die) is judged in order. `completeRules` are
 * rules this evaluation covered entirely: their firing targets without a finding resolve.
 */
/** Firing targets per rule. */
export type FiringIndex = Map<string, Set<string>>;

export function firingIndex(states: StateMap): FiringIndex {
  const index: FiringIndex = new Map();
  // States come mostly grouped by rule: remember the last rule's set instead of looking it up.
  let lastRule = "";
  let set: Set<string> | undefined;
  for (const [key, st] of states) {
    if (st.state !== "firing") continue;
    const cut = key.indexOf("\u0000");
    const ruleId = key.slice(0, cut);
    if (ruleId !== lastRule || !set) {
      lastRule = ruleId;
      set = index.get(ruleId);
      if (!set) index.set(ruleId, (set = new Set()));
    }
    set.add(key.slice(cut + 1));
  }
  return index;
}

export function decide(rules: RuleSpec[], findings: Finding[], states: StateMap, now: number, completeRules: ReadonlySet<string> = new Set(), index?: FiringIndex): Decision[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const decisions: Decision[] = [];
  // Most findings restate what is already known (fine and was fine, firing and was firing): only
  // changes need the state itself, so look the firing targets up per rule first. A steady tick
  // over 1,000 rules × 100 containers then builds no keys at all.
  const firingByRule = index ?? firingIndex(states);
  const seen: FiringIndex = new Map();
  // Findings come grouped by rule: the rule and its sets are looked up once per run of findings.
  let lastRule: string | null = null;
  let rule: RuleSpec | undefined;
  let firingHere: Set<string> | undefined;
  let seenHere: Set<string> | undefined;
  for (const f of findings) {
    if (f.ruleId !== lastRule) {
      lastRule = f.ruleId;
      rule = byId.get(f.ruleId);
      firingHere = firingByRule.get(f.ruleId);
      seenHere = seen.get(f.ruleId);
      if (!seenHere) seen.set(f.ruleId, (seenHere = new Set()));
    }
    if (!rule || !rule.enabled) continue;
    const wasFiring = firingHere?.has(f.target) ?? false;
    if (wasFiring) seenHere!.add(f.target);
    if (f.status === "unknown" || (f.status === "ok") !== wasFiring) continue;
    const key = stateKey(f.ruleId, f.target);
    const current = states.get(key);
    if (f.status === "firing") {
      if (inMaintenance(rule.maintenance, now)) continue; // muted rules do not open alerts at all
      const cooling = current?.lastNotifiedAt != null && now - current.lastNotifiedAt < rule.cooldownSeconds * 1000;
      const notify = !cooling && rule.channelIds.length > 0;
      decisions.push({ rule, target: f.target, targetName: f.targetName, kind: "fire", value: f.value, message: textOf(rule, f), notify, suppressed: cooling ? "cooldown" : null, eventId: null });
      states.set(key, { state: "firing", lastNotifiedAt: notify ? now : (current?.lastNotifiedAt ?? null), notified: notify, eventId: null });
      if (!firingHere) firingByRule.set(f.ruleId, (firingHere = new Set()));
      firingHere.add(f.target);
      seenHere!.add(f.target);
    } else if (current) {
      decisions.push(resolveDecision(rule, f.target, f.targetName, f.value, textOf(rule, f), current, now));
      states.set(key, { ...current, state: "ok", eventId: null });
      firingHere?.delete(f.target);
    }
  }
  if (completeRules.size > 0) {
    for (const [ruleId, targets] of firingByRule) {
      const rule = byId.get(ruleId);
      if (!rule || !completeRules.has(ruleId)) continue;
      const seenHere = seen.get(ruleId);
      for (const target of [...targets]) {
        if (seenHere?.has(target)) continue;
        const key = stateKey(ruleId, target);
        const s = states.get(key);
        if (!s || s.state !== "firing") continue;
        decisions.push(resolveDecision(rule, target, target.replace(/^[a-z]+:/, ""), null, "is gone or no longer reported", s, now));
        states.set(key, { ...s, state: "ok", eventId: null });
        targets.delete(target);
      }
    }
  }
  return decisions;
}


function resolveDecision(rule: RuleSpec, target: string, targetName: string, value: number | null, message: string, state: StateSnapshot, now: number): Decision {
  const notify = rule.notifyOnResolve && state.notified && rule.channelIds.length > 0 && !inMaintenance(rule.maintenance, now);
  return { rule, target, targetName, kind: "resolve", value, message, notify, suppressed: null, eventId: state.eventId };
}

/** One notification per channel for everything decided in one evaluation. */
export function groupByChannel(decisions: Decision[]): Map<string, Decision[]> {
  const groups = new Map<string, Decision[]>();
  for (const d of decisions) {
    if (!d.notify) continue;
    for (const channelId of d.rule.channelIds) {
      let list = groups.get(channelId);
      if (!list) groups.set(channelId, (list = []));
      list.push(d);
    }
  }
  return groups;
}
