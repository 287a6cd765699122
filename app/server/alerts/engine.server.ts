// The alert engine: one per process, started with the background jobs. It
// - follows the agent's event stream (crash, stop, OOM, health, restarts) and evaluates the
//   event-driven rules within seconds, batching events that arrive together so several targets
//   firing at once become one notification per channel;
// - keeps a bounded in-memory window of stats per running container from the agent's shared
//   sampler (subscribed only while a cpu/memory rule exists);
// - every tick (30 s) evaluates the windowed and periodic rules (cpu, memory, restarts,
//   certificates, proxy apply, disk).
// Decisions are persisted (store.server.ts) so a restart neither forgets nor repeats an alert.
import { statfs } from "node:fs/promises";
import type { Agent, ContainerEvent, ContainerStats, ContainerSummary } from "#agent/types";
import { builtInHost } from "../agents/registry.server";
import { withOrg } from "../db/client.server";
import { env } from "../env.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";
import { downtimeCrashes, evaluateEvent, evaluateTick, firingIndex, SampleWindow, TICK_RULES, type ContainerFacts, type ExitedContainer, type EventFacts, type Finding, type RuleSpec, type SeriesSummary, type TickInputs } from "./evaluate";
import { rulesVersion } from "./rules-version.server";
import { applyEvaluation, crashBaseline, loadRules, orgsWithRules } from "./store.server";

export interface EngineOptions {
  tickMs: number;
  /** Events arriving within this long of the first one are evaluated together. */
  batchMs: number;
  /** Rules are re-read at least this often (changes on other replicas). */
  rulesTtlMs: number;
  /**
   * A remote agent's engine (decision 160): only this organization's rules see its containers, and
   * it evaluates the container events only (tick rules stay with the process's own engine).
   */
  orgId?: string;
}

/** Tunables. ALERTS_TICK_SECONDS (default 30) exists for tests and tuning. */
export function engineOptions(): EngineOptions {
  return { tickMs: env().ALERTS_TICK_SECONDS * 1000, batchMs: 1_500, rulesTtlMs: 30_000 };
}

const MAX_SERIES_MS = 3_600_000;
const MAX_SAMPLES = 2_000;
const MAX_HISTORY = 100;
/** Exited containers inspected at start-up for crashes during downtime. */
const MAX_EXITED_INSPECTED = 500;
const HISTORY_MS = 86_400_000;
const LABEL_KEYS_NOT_LABELS = new Set(["name", "image", "exitCode", "signal", "execDuration", "container", "health_status"]);

interface PendingEvent {
  event: EventFacts;
  before: EventFacts[];
}

export class AlertEngine {
  /** Per container: its samples with running sums, appended as they arrive (not rebuilt per tick). */
  private readonly series = new Map<string, SampleWindow>();
  private readonly facts = new Map<string, ContainerFacts>();
  private readonly history = new Map<string, EventFacts[]>();
  private pending: PendingEvent[] = [];
  private batchTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private readonly abort = new AbortController();
  /** Aborts the stats stream while CPU or memory rules exist. */
  private statsStream: AbortController | null = null;
  private rules = new Map<string, RuleSpec[]>();
  private rulesLoadedAt = 0;
  private rulesLoadedVersion = -1;
  private ticking = false;
  private chain: Promise<void> = Promise.resolve();
  lastTickAt: number | null = null;
  lastError: string | null = null;

  constructor(
    private readonly agent: Agent,
    private readonly options: EngineOptions = engineOptions(),
  ) {}

  /** When this engine began following events: later exits are the live path's, not downtime's. */
  private startedAt = Date.now();

  start(): void {
    this.startedAt = Date.now();
    void this.followEvents();
    if (this.options.orgId) {
      // A remote node's engine: its events, and the crashes that happened while it was not connected.
      setTimeout(() => this.serialise(() => this.reportDowntimeCrashes()), 2_000).unref();
      return;
    }
    const tick = () => {
      this.tickTimer = setTimeout(async () => {
        await this.tick().catch((error) => this.fail("alert tick failed", error));
        if (!this.abort.signal.aborted) tick();
      }, this.options.tickMs);
      this.tickTimer.unref();
    };
    // A first pass soon after startup: subscribe to stats if needed, check certificates, and
    // report containers that crashed while InfraPilot was not running.
    setTimeout(() => {
      void this.tick().catch((error) => this.fail("alert tick failed", error));
      this.serialise(() => this.reportDowntimeCrashes());
    }, 2_000).unref();
    tick();
  }

  stop(): void {
    this.abort.abort();
    if (this.tickTimer) clearTimeout(this.tickTimer);
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.statsStream?.abort();
    this.statsStream = null;
  }

  private fail(message: string, error: unknown) {
    this.lastError = error instanceof Error ? error.message : String(error);
    logger.warn(message, { error });
  }

  /** Rules of every organization, re-read when a rule changed here or the TTL passed. */
  private async currentRules(): Promise<Map<string, RuleSpec[]>> {
    const version = rulesVersion();
    if (version !== this.rulesLoadedVersion || Date.now() - this.rulesLoadedAt > this.options.rulesTtlMs) {
      const next = new Map<string, RuleSpec[]>();
      const scoped = this.options.orgId;
      for (const orgId of scoped ? [scoped] : await orgsWithRules()) next.set(orgId, await loadRules(orgId));
      this.rules = next;
      this.rulesLoadedAt = Date.now();
      this.rulesLoadedVersion = version;
      this.syncStatsSubscription();
    }
    return this.rules;
  }

  private syncStatsSubscription() {
    const wanted = [...this.rules.values()].some((rules) => rules.some((r) => r.type === "cpu" || r.type === "memory"));
    if (wanted && !this.statsStream) {
      const stream = (this.statsStream = new AbortController());
      void this.followStats(stream.signal);
    } else if (!wanted && this.statsStream) {
      this.statsStream.abort();
      this.statsStream = null;
      this.series.clear();
    }
  }

  /** Until `signal` aborts; a stream that ends anyway (a remote agent's connection dropped) is opened again. */
  private async followStats(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        for await (const update of this.agent.subscribeStats(signal)) {
          if ("error" in update) logger.debug("alert stats sampler error", { error: update.error.message });
          else this.onStats(update.stats);
        }
      } catch (error) {
        if (!signal.aborted) logger.debug("alert stats stream ended", { error: error instanceof Error ? error.message : String(error) });
      }
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 1_000).unref());
    }
  }

  private onStats(batch: ContainerStats[]) {
    for (const s of batch) {
      let win = this.series.get(s.id);
      if (!win) this.series.set(s.id, (win = new SampleWindow()));
      const t = Date.parse(s.time);
      if (Number.isNaN(t)) continue;
      const mem = s.memoryLimitBytes > 0 ? (s.memoryBytes / s.memoryLimitBytes) * 100 : null;
      win.push({ t, cpu: s.cpuPercent, mem });
      win.trim(t - MAX_SERIES_MS, MAX_SAMPLES);
    }
  }

  // ---------------------------------------------------------------- events

  private async followEvents(): Promise<void> {
    let delay = 1_000;
    while (!this.abort.signal.aborted) {
      try {
        for await (const event of this.agent.events(this.abort.signal)) {
          delay = 1_000;
          this.onEvent(event);
        }
      } catch (error) {
        if (this.abort.signal.aborted) return;
        logger.debug("alert event stream interrupted", { error: error instanceof Error ? error.message : String(error) });
      }
      if (this.abort.signal.aborted) return;
      await new Promise((r) => setTimeout(r, delay).unref());
      delay = Math.min(delay * 2, 30_000);
    }
  }

  private factsOf(event: ContainerEvent): ContainerFacts {
    const known = this.facts.get(event.id);
    if (known) return known;
    const labels = Object.fromEntries(Object.entries(event.attributes).filter(([k]) => !LABEL_KEYS_NOT_LABELS.has(k)));
    return { id: event.id, name: (event.name ?? event.id.slice(0, 12)).replace(/^\//, ""), stack: event.stack, labels };
  }

  onEvent(event: ContainerEvent): void {
    const facts = this.factsOf(event);
    if (event.action === "destroy") this.facts.delete(event.id);
    else this.facts.set(event.id, facts);
    const e: EventFacts = { time: Date.parse(event.time) || Date.now(), action: event.action, container: facts, exitCode: event.exitCode, health: event.health };
    const list = this.history.get(facts.name) ?? [];
    const before = list.slice();
    list.push(e);
    while (list.length > MAX_HISTORY || (list.length && e.time - list[0]!.time > HISTORY_MS)) list.shift();
    this.history.set(facts.name, list);
    if (!["die", "start", "restart", "oom", "kill", "stop", "health_status", "destroy"].includes(event.action)) return;
    this.pending.push({ event: e, before });
    this.batchTimer ??= setTimeout(() => {
      this.batchTimer = null;
      const batch = this.pending;
      this.pending = [];
      this.serialise(() => this.evaluateEvents(batch));
    }, this.options.batchMs);
  }

  /** Evaluations run one at a time, in order. */
  private serialise(fn: () => Promise<void>) {
    this.chain = this.chain.then(fn).catch((error) => this.fail("alert evaluation failed", error));
  }

  private async evaluateEvents(batch: PendingEvent[]): Promise<void> {
    const all = await this.currentRules();
    for (const [orgId, rules] of all) {
      const steps: Finding[][] = batch.map((p) => evaluateEvent(rules, p.event, p.before)).filter((f) => f.length > 0);
      if (steps.length === 0) continue;
      await applyEvaluation(orgId, rules, { steps }, Date.now());
    }
  }

  /**
   * Containers that exited while nobody followed the event stream: Docker's State (FinishedAt,
   * ExitCode, OOMKilled) against what was persisted (downtimeCrashes), reported once.
   */
  async reportDowntimeCrashes(): Promise<void> {
    const all = await this.currentRules();
    const crashRules = new Map([...all].map(([orgId, rules]) => [orgId, rules.filter((r) => r.enabled && r.type === "container_crash")] as const).filter(([, r]) => r.length > 0));
    if (crashRules.size === 0) return;
    const summaries = (await this.agent.listContainers({ all: true })).filter((c) => c.state === "exited" || c.state === "dead").slice(0, MAX_EXITED_INSPECTED);
    const exited: ExitedContainer[] = [];
    for (const c of summaries) {
      if (this.abort.signal.aborted) return;
      try {
        const detail = await this.agent.inspectContainer(c.id);
        const finishedAt = Date.parse(detail.state.finishedAt ?? "");
        if (Number.isNaN(finishedAt) || finishedAt <= 0 || finishedAt >= this.startedAt) continue;
        exited.push({ container: { id: c.id, name: c.name.replace(/^\//, ""), stack: c.stack, labels: c.labels }, exitCode: detail.state.exitCode, oomKilled: detail.state.oomKilled, finishedAt });
      } catch (error) {
        logger.debug("alert start-up inspect failed", { id: c.id, error: error instanceof Error ? error.message : String(error) });
      }
    }
    if (exited.length === 0) return;
    for (const [orgId, rules] of crashRules) {
      const baseline = await crashBaseline(orgId, rules.map((r) => r.id));
      const findings = downtimeCrashes(rules, exited, baseline);
      if (findings.length) await applyEvaluation(orgId, rules, { steps: [findings] }, Date.now());
    }
  }

  // ---------------------------------------------------------------- ticks

  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await new Promise<void>((resolve) => this.serialise(() => this.runTick().finally(resolve)));
    } finally {
      this.ticking = false;
    }
  }

  private async runTick(): Promise<void> {
    const all = await this.currentRules();
    const now = Date.now();
    const ruleTypes = new Set([...all.values()].flatMap((rules) => rules.filter((r) => TICK_RULES.has(r.type)).map((r) => r.type)));
    if (ruleTypes.size === 0) {
      this.lastTickAt = now;
      return;
    }
    const listed = ruleTypes.has("cpu") || ruleTypes.has("memory") ? await this.runningContainers() : [];
    // Without a container list this tick knows nothing about CPU or memory: those rules wait for
    // the next tick instead of resolving every firing alert as "gone".
    const containers = listed ?? [];
    const skip = listed === null ? new Set(["cpu", "memory"]) : new Set<string>();
    const series = new Map<string, SeriesSummary>();
    for (const c of containers) {
      const win = this.series.get(c.id);
      if (win?.size) series.set(c.id, win.summary());
    }
    if (listed !== null) for (const id of this.series.keys()) if (!containers.some((c) => c.id === id)) this.series.delete(id);
    const disk = ruleTypes.has("disk") ? await dataDirDisk() : null;
    for (const [orgId, rules] of all) {
      const tickRules = rules.filter((r) => TICK_RULES.has(r.type) && !skip.has(r.type));
      if (tickRules.length === 0) continue;
      const types = new Set(tickRules.map((r) => r.type));
      const { certificates, applyStates } = await orgFacts(orgId, types.has("cert_expiry") || types.has("cert_renewal_failed"), types.has("proxy_apply_failed"));
      const input: TickInputs = { now, containers, series, history: this.history, certificates, applyStates, disk };
      await applyEvaluation(orgId, tickRules, { steps: (states) => [evaluateTick(tickRules, input, firingIndex(states))], completeRules: new Set(tickRules.map((r) => r.id)) }, now);
    }
    this.lastTickAt = now;
  }

  /** The running containers, or null when the engine could not be asked. */
  private async runningContainers(): Promise<ContainerFacts[] | null> {
    let list: ContainerSummary[];
    try {
      list = await this.agent.listContainers({ all: false });
    } catch (error) {
      this.fail("alert engine could not list containers", error);
      return null;
    }
    return list.map((c) => {
      const facts = { id: c.id, name: c.name.replace(/^\//, ""), stack: c.stack, labels: c.labels };
      this.facts.set(c.id, facts);
      return facts;
    });
  }
}

async function orgFacts(orgId: string, certs: boolean, apply: boolean): Promise<Pick<TickInputs, "certificates" | "applyStates">> {
  return withOrg(orgId, async (tx) => {
    const certificates = certs
      ? (await tx.certificate.findMany({ where: { orgId }, select: { id: true, domains: true, status: true, error: true, notAfter: true } })).map((c) => ({ ...c, notAfter: c.notAfter?.getTime() ?? null }))
      : [];
    let applyStates: TickInputs["applyStates"] = [];
    if (apply) {
      const [states, agents] = await Promise.all([
        tx.proxyApplyState.findMany({ where: { orgId }, select: { agentId: true, state: true, message: true } }),
        tx.agent.findMany({ where: { orgId }, select: { id: true, name: true } }),
      ]);
      applyStates = states.map((s) => ({ ...s, agentName: agents.find((a) => a.id === s.agentId)?.name ?? s.agentId }));
    }
    return { certificates, applyStates };
  });
}

export async function dataDirDisk(): Promise<{ path: string; usedPercent: number; freeBytes: number; totalBytes: number } | null> {
  const path = env().DATA_DIR;
  try {
    const s = await statfs(path);
    const total = s.blocks * s.bsize;
    const free = s.bavail * s.bsize;
    return { path, usedPercent: total > 0 ? ((total - free) / total) * 100 : 0, freeBytes: free, totalBytes: total };
  } catch {
    return null;
  }
}

/** Starts the process's engine on the built-in agent; returns its stop function. */
export function startAlertEngine(): () => void {
  // SaaS has no built-in agent (decision 091): the engine follows remote agents' feeds once they exist.
  const host = builtInHost();
  if (!host) return () => {};
  const engine = singleton("alerts:engine", () => new AlertEngine(host.agent));
  engine.start();
  return () => engine.stop();
}

/**
 * Starts the alert engine of a remote agent that just connected (decision 160): it follows the
 * node's Docker events through the agent's flows and evaluates its organization's event rules.
 * Returns its stop function (called when the connection ends; a reconnect starts a new one, whose
 * start-up pass reports crashes from the gap).
 */
export function startRemoteAlertEngine(orgId: string, agent: Agent): () => void {
  const engine = new AlertEngine(agent, { ...engineOptions(), orgId });
  engine.start();
  return () => engine.stop();
}

export function runningEngine(): AlertEngine | undefined {
  return (globalThis as unknown as { __infrapilot?: Record<string, unknown> }).__infrapilot?.["alerts:engine"] as AlertEngine | undefined;
}
