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
 * Findings of the periodic rules. Every rule it covers is evaluated completely: a target with
 * no finding here (a container that stopped, a certificate that was deleted) is no longer firing.
 */
export function evaluateTick(rules: RuleSpec[], input: TickInputs, firing?: FiringIndex): Finding[] {
  const findings: Finding[] = [];
  // With the firing index, "fine" findings are made only where they resolve something: a tick
  // over 1,000 rules × 100 containers then allocates a few thousand findings instead of 100,000.
  const quiet = (ruleId: string, target: string) => firing !== undefined && !(firing.get(ruleId)?.has(target) ?? false);
  for (const rule of rules) {
    if (!rule.enabled || !TICK_RULES.has(rule.type)) continue;
    const threshold = rule.threshold ?? Infinity;
    switch (rule.type) {
      case "cpu":
      case "memory": {
        const metric = rule.type === "cpu" ? "cpu" : "mem";
        for (const c of input.containers) {
          if (!containerInScope(rule.scope, c)) continue;
          const s = input.series.get(c.id);
          // The series must reach back a whole window: "above X for N minutes" means observed for N.
          const mean = s ? windowMean(s, metric, input.now, rule.windowSeconds, COVERAGE_SLACK_MS) : null;
          const t = containerTarget(c);
          if (mean !== null && mean < threshold && quiet(rule.id, t)) continue;
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
  for (const [key, st] of states) {
    if (st.state !== "firing") continue;
    const [ruleId, target] = key.split("\u0000") as [string, string];
    let set = index.get(ruleId);
    if (!set) index.set(ruleId, (set = new Set()));
    set.add(target);
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
  for (const f of findings) {
    const rule = byId.get(f.ruleId);
    if (!rule || !rule.enabled) continue;
    const wasFiring = firingByRule.get(f.ruleId)?.has(f.target) ?? false;
    if (wasFiring) addTo(seen, f.ruleId, f.target);
    if (f.status === "unknown" || (f.status === "ok") !== wasFiring) continue;
    const key = stateKey(f.ruleId, f.target);
    const current = states.get(key);
    if (f.status === "firing") {
      if (inMaintenance(rule.maintenance, now)) continue; // muted rules do not open alerts at all
      const cooling = current?.lastNotifiedAt != null && now - current.lastNotifiedAt < rule.cooldownSeconds * 1000;
      const notify = !cooling && rule.channelIds.length > 0;
      decisions.push({ rule, target: f.target, targetName: f.targetName, kind: "fire", value: f.value, message: textOf(rule, f), notify, suppressed: cooling ? "cooldown" : null, eventId: null });
      states.set(key, { state: "firing", lastNotifiedAt: notify ? now : (current?.lastNotifiedAt ?? null), notified: notify, eventId: null });
      addTo(firingByRule, f.ruleId, f.target);
      addTo(seen, f.ruleId, f.target);
    } else if (current) {
      decisions.push(resolveDecision(rule, f.target, f.targetName, f.value, textOf(rule, f), current, now));
      states.set(key, { ...current, state: "ok", eventId: null });
      firingByRule.get(f.ruleId)?.delete(f.target);
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

function addTo(index: FiringIndex, ruleId: string, target: string): void {
  let set = index.get(ruleId);
  if (!set) index.set(ruleId, (set = new Set()));
  set.add(target);
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
