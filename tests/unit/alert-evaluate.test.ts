import { describe, expect, test } from "vitest";
import {
  containerInScope,
  countRestarts,
  decide,
  downtimeCrashes,
  evaluateEvent,
  evaluateTick,
  groupByChannel,
  inMaintenance,
  SampleWindow,
  stateKey,
  summarize,
  windowMean,
  type EventFacts,
  type RuleSpec,
  type StateMap,
  type TickInputs,
} from "~/server/alerts/evaluate";

const T0 = Date.parse("2026-11-25T12:00:00Z");
const rule = (over: Partial<RuleSpec>): RuleSpec => ({
  id: over.type ?? "r1",
  name: "rule",
  type: "container_crash",
  scope: { all: true },
  threshold: null,
  windowSeconds: 60,
  cooldownSeconds: 600,
  channelIds: ["ch1"],
  notifyOnResolve: true,
  enabled: true,
  maintenance: [],
  ...over,
});
const web = { id: "c1", name: "web", stack: "shop", labels: { team: "ops" } };
const ev = (action: string, time: number, extra: Partial<EventFacts> = {}): EventFacts => ({ time, action, container: web, exitCode: null, health: null, ...extra });

describe("container events", () => {
  const crash = rule({ type: "container_crash" });
  const stopped = rule({ type: "container_stopped" });

  test("a non-zero exit is a crash; the container starting again resolves it", () => {
    const die = ev("die", T0, { exitCode: 1 });
    expect(evaluateEvent([crash], die, [])).toEqual([expect.objectContaining({ status: "firing", value: 1, target: "container:web", message: "crashed: exited with code 1" })]);
    expect(evaluateEvent([crash], ev("start", T0 + 5000), [die])).toEqual([expect.objectContaining({ status: "ok" })]);
  });

  test("docker stop is not a crash, whatever the exit code, but is a stop", () => {
    const kill = ev("kill", T0);
    const die = ev("die", T0 + 10_000, { exitCode: 137 });
    expect(evaluateEvent([crash], die, [kill])).toEqual([]);
    expect(evaluateEvent([stopped], die, [kill])).toEqual([expect.objectContaining({ status: "firing", message: "stopped (exit code 137)" })]);
  });

  test("an OOM kill is a crash even though a kill precedes it", () => {
    const die = ev("die", T0 + 100, { exitCode: 137 });
    const [finding] = evaluateEvent([crash], die, [ev("oom", T0), ev("kill", T0 + 50)]);
    expect(finding).toMatchObject({ status: "firing", message: expect.stringContaining("out of memory") });
  });

  test("exit code 0 is not a crash", () => {
    expect(evaluateEvent([crash], ev("die", T0, { exitCode: 0 }), [])).toEqual([]);
  });

  test("a kill before an earlier start does not excuse a later crash", () => {
    expect(evaluateEvent([crash], ev("die", T0 + 2000, { exitCode: 1 }), [ev("kill", T0), ev("start", T0 + 1000)])).toHaveLength(1);
  });

  test("restarts are counted within the window", () => {
    const history = [ev("die", T0), ev("start", T0 + 1000), ev("die", T0 + 2000), ev("start", T0 + 3000), ev("restart", T0 + 4000)];
    expect(countRestarts(history, T0 + 5000, 60)).toBe(3);
    expect(countRestarts(history, T0 + 62_500, 60)).toBe(2);
    expect(countRestarts(history, T0 + 63_500, 60)).toBe(1);
    const r = rule({ type: "restart_count", threshold: 3 });
    expect(evaluateEvent([r], history[4]!, history.slice(0, 4))).toEqual([expect.objectContaining({ status: "firing", value: 3 })]);
  });

  test("scope: stack, glob, label presence and value", () => {
    expect(containerInScope({ stack: "shop" }, web)).toBe(true);
    expect(containerInScope({ stack: "blog" }, web)).toBe(false);
    expect(containerInScope({ namePattern: "w?b*" }, web)).toBe(true);
    expect(containerInScope({ namePattern: "db-*" }, web)).toBe(false);
    expect(containerInScope({ label: "team" }, web)).toBe(true);
    expect(containerInScope({ label: "team=ops" }, web)).toBe(true);
    expect(containerInScope({ label: "team=dev" }, web)).toBe(false);
  });
});

describe("decisions", () => {
  const crash = rule({ type: "container_crash", cooldownSeconds: 600 });
  const firing = (value = 1) => ({ ruleId: crash.id, target: "container:web", targetName: "web", status: "firing" as const, value, message: "crashed" });
  const ok = { ...firing(), status: "ok" as const };

  test("fire once, resolve once, and a repeat inside the cooldown is recorded but not sent", () => {
    const states: StateMap = new Map();
    expect(decide([crash], [firing()], states, T0)).toEqual([expect.objectContaining({ kind: "fire", notify: true, suppressed: null })]);
    expect(decide([crash], [firing()], states, T0 + 1000)).toEqual([]); // already firing
    expect(decide([crash], [ok], states, T0 + 2000)).toEqual([expect.objectContaining({ kind: "resolve", notify: true })]);
    expect(decide([crash], [firing()], states, T0 + 3000)).toEqual([expect.objectContaining({ kind: "fire", notify: false, suppressed: "cooldown" })]);
    // The resolution of an alert nobody was told about is not announced either.
    expect(decide([crash], [ok], states, T0 + 4000)).toEqual([expect.objectContaining({ kind: "resolve", notify: false })]);
    expect(decide([crash], [firing()], states, T0 + 601_000)).toEqual([expect.objectContaining({ kind: "fire", notify: true })]);
  });

  test("a persisted firing state survives a restart: no second notification", () => {
    const states: StateMap = new Map([[stateKey(crash.id, "container:web"), { state: "firing", lastNotifiedAt: T0, notified: true, eventId: "e1" }]]);
    expect(decide([crash], [firing()], states, T0 + 60_000)).toEqual([]);
  });

  test("a maintenance window mutes new alerts", () => {
    const muted = rule({ type: "container_crash", maintenance: [{ start: new Date(T0 - 1000).toISOString(), end: new Date(T0 + 60_000).toISOString() }] });
    expect(decide([muted], [firing()], new Map(), T0)).toEqual([]);
    expect(decide([muted], [firing()], new Map(), T0 + 61_000)).toHaveLength(1);
  });

  test("weekly windows, overnight ones too", () => {
    const monday = Date.parse("2026-11-23T23:30:00Z");
    expect(inMaintenance([{ weekdays: [1], from: "23:00", to: "02:00" }], monday)).toBe(true);
    expect(inMaintenance([{ weekdays: [1], from: "23:00", to: "02:00" }], monday + 2 * 3600_000)).toBe(true); // Tue 01:30
    expect(inMaintenance([{ weekdays: [1], from: "23:00", to: "02:00" }], monday + 3 * 3600_000)).toBe(false);
    expect(inMaintenance([{ weekdays: [2], from: "09:00", to: "10:00" }], monday)).toBe(false);
  });

  test("a complete evaluation resolves firing targets that vanished", () => {
    const cpu = rule({ type: "cpu", threshold: 80 });
    const states: StateMap = new Map([[stateKey(cpu.id, "container:gone"), { state: "firing", lastNotifiedAt: T0, notified: true, eventId: "e1" }]]);
    expect(decide([cpu], [], states, T0 + 1000, new Set([cpu.id]))).toEqual([expect.objectContaining({ kind: "resolve", target: "container:gone", eventId: "e1" })]);
  });

  test("a complete evaluation keeps what it has just fired, and repeating it changes nothing", () => {
    const cpu = rule({ type: "cpu", threshold: 80 });
    const hot = { ruleId: cpu.id, target: "container:web", targetName: "web", status: "firing" as const, value: 95, message: null };
    const states: StateMap = new Map();
    expect(decide([cpu], [hot], states, T0, new Set([cpu.id])).map((d) => d.kind)).toEqual(["fire"]);
    expect(decide([cpu], [hot], states, T0 + 30_000, new Set([cpu.id]))).toEqual([]);
    expect(decide([cpu], [{ ...hot, status: "unknown" }], states, T0 + 60_000, new Set([cpu.id]))).toEqual([]);
    expect(decide([cpu], [{ ...hot, status: "ok", value: 12 }], states, T0 + 90_000, new Set([cpu.id]))).toEqual([
      expect.objectContaining({ kind: "resolve", message: "CPU at 12 % on average over 1 min (threshold 80 %)" }),
    ]);
  });

  test("several targets in one evaluation become one notification per channel", () => {
    const a = rule({ type: "container_crash", channelIds: ["mail", "hook"] });
    const findings = ["a", "b", "c"].map((n) => ({ ...firing(), ruleId: a.id, target: `container:${n}`, targetName: n }));
    const groups = groupByChannel(decide([a], findings, new Map(), T0));
    expect([...groups.keys()].sort()).toEqual(["hook", "mail"]);
    expect(groups.get("mail")!.map((d) => d.targetName)).toEqual(["a", "b", "c"]);
  });
});

describe("crashes while InfraPilot was down", () => {
  const crash = rule({ type: "container_crash" });
  const exited = (name: string, exitCode: number | null, finishedAt: number, oomKilled = false) => ({ container: { id: name, name, stack: null, labels: {} }, exitCode, oomKilled, finishedAt });
  const baseline = (states: [string, string, number][] = []) => ({
    ruleCreatedAt: new Map([[crash.id, T0]]),
    states: new Map(states.map(([target, state, since]) => [stateKey(crash.id, `container:${target}`), { state, since }])),
  });

  test("a non-zero exit or an OOM kill after the last state change is reported; stops, old exits and firing alerts are not", () => {
    const later = T0 + 60_000;
    const findings = downtimeCrashes(
      [crash],
      [
        exited("new", 3, later),
        exited("oom", 137, later, true),
        exited("clean", 0, later),
        exited("stopped", 143, later),
        exited("killed", 137, later),
        exited("before-rule", 1, T0 - 1),
        exited("firing", 1, later),
        exited("resolved-after", 1, later),
        exited("resolved-before", 1, later),
      ],
      baseline([
        ["firing", "firing", T0],
        ["resolved-after", "ok", later + 1],
        ["resolved-before", "ok", later - 1],
      ]),
    );
    expect(findings.map((f) => [f.targetName, f.status, f.value])).toEqual([
      ["new", "firing", 3],
      ["oom", "firing", 137],
      ["resolved-before", "firing", 1],
    ]);
    expect(findings[0]!.message).toBe(`crashed: exited with code 3 at ${new Date(later).toISOString()}, while InfraPilot was not running`);
    expect(findings[1]!.message).toMatch(/^was killed: out of memory/);
  });

  test("decided against the states, such a crash fires once", () => {
    const states: StateMap = new Map();
    const f = downtimeCrashes([crash], [exited("x", 2, T0 + 1)], baseline());
    expect(decide([crash], f, states, T0 + 10).map((d) => d.kind)).toEqual(["fire"]);
    expect(decide([crash], f, states, T0 + 20)).toEqual([]);
  });
});

describe("windowed metrics", () => {
  const samples = Array.from({ length: 121 }, (_, i) => ({ t: T0 + i * 5000, cpu: i < 60 ? 10 : 95, mem: 50 }));
  const summary = summarize(samples);
  const now = T0 + 600_000;

  test("the mean over a window uses only samples inside it", () => {
    expect(windowMean(summary, "cpu", now, 120, 7500)).toBeCloseTo(95);
    expect(windowMean(summary, "cpu", now, 600, 7500)).toBeCloseTo((60 * 10 + 61 * 95) / 121);
  });

  test("an incremental window gives the same means as rebuilding, through trims, compactions and growth", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const win = new SampleWindow();
    const kept: { t: number; cpu: number | null; mem: number | null }[] = [];
    for (let i = 0; i < 5_000; i++) {
      const t = T0 + i * 1000;
      const x = { t, cpu: rand() < 0.05 ? null : rand() * 200, mem: rand() < 0.05 ? null : rand() * 100 };
      win.push(x);
      kept.push(x);
      // the engine's limits, scaled down: at most 10 minutes and 300 samples
      win.trim(t - 600_000, 300);
      while (kept.length > 300 || kept[0]!.t < t - 600_000) kept.shift();
      if (i % 97 === 0 || i === 4_999) {
        const live = win.summary();
        const rebuilt = summarize(kept);
        expect(win.size).toBe(kept.length);
        expect(live.firstAt).toBe(rebuilt.firstAt);
        for (const w of [10, 60, 299])
          for (const m of ["cpu", "mem"] as const) {
            const a = windowMean(live, m, t, w, 0);
            const b = windowMean(rebuilt, m, t, w, 0);
            if (b === null) expect(a).toBeNull();
            else expect(a).toBeCloseTo(b, 9);
          }
      }
    }
    // an out-of-order sample is dropped; a trim past every sample empties the window
    win.push({ t: T0, cpu: 1, mem: 1 });
    expect(win.size).toBe(300);
    win.trim(T0 + 10_000_000);
    expect(win.size).toBe(0);
    expect(win.summary().t.length).toBe(0);
  });

  test("a summary handed to a tick stays as it was while new samples arrive", () => {
    const win = new SampleWindow();
    for (const x of samples) win.push(x);
    const view = win.summary();
    for (let i = 1; i <= 200; i++) win.push({ t: now + i * 5000, cpu: 0, mem: 0 });
    win.trim(now + 100_000);
    expect(windowMean(view, "cpu", now, 120, 7500)).toBeCloseTo(95);
    expect(windowMean(win.summary(), "cpu", now + 1_000_000, 120, 7500)).toBe(0);
  });

  test("a series shorter than the window says nothing yet", () => {
    expect(windowMean(summarize(samples.slice(100)), "cpu", now, 300, 7500)).toBeNull();
  });

  test("cpu and memory rules fire, stay quiet, or wait for data", () => {
    const input: TickInputs = {
      now,
      containers: [web, { id: "c2", name: "fresh", stack: null, labels: {} }],
      series: new Map([["c1", summary], ["c2", summarize(samples.slice(118))]]),
      history: new Map(),
      certificates: [],
      applyStates: [],
      disk: null,
    };
    const findings = evaluateTick([rule({ type: "cpu", threshold: 90, windowSeconds: 120 }), rule({ type: "memory", threshold: 80, windowSeconds: 120 })], input);
    expect(findings.map((f) => [f.ruleId, f.targetName, f.status])).toEqual([
      ["cpu", "web", "firing"],
      ["cpu", "fresh", "unknown"],
      ["memory", "web", "ok"],
      ["memory", "fresh", "unknown"],
    ]);
  });

  test("certificates expiring within N days, failed renewals, failed applies, disk", () => {
    const input: TickInputs = {
      now,
      containers: [],
      series: new Map(),
      history: new Map(),
      certificates: [
        { id: "soon", domains: ["a.example.com"], status: "issued", error: null, notAfter: now + 3 * 86_400_000 },
        { id: "later", domains: ["b.example.com"], status: "error", error: "rate limited", notAfter: now + 60 * 86_400_000 },
      ],
      applyStates: [{ agentId: "ag", agentName: "local", state: "error", message: "nginx: [emerg] unknown directive" }],
      disk: { path: "/data", usedPercent: 91.26 },
    };
    const findings = evaluateTick(
      [rule({ type: "cert_expiry", threshold: 14 }), rule({ type: "cert_renewal_failed" }), rule({ type: "proxy_apply_failed" }), rule({ type: "disk", threshold: 90 })],
      input,
    );
    expect(findings.map((f) => [f.ruleId, f.targetName, f.status, f.value])).toEqual([
      ["cert_expiry", "a.example.com", "firing", 3],
      ["cert_expiry", "b.example.com", "ok", 60],
      ["cert_renewal_failed", "a.example.com", "ok", null],
      ["cert_renewal_failed", "b.example.com", "firing", null],
      ["proxy_apply_failed", "nginx on local", "firing", null],
      ["disk", "disk of /data", "firing", 91.3],
    ]);
  });
});

describe("the Details link of a notification", () => {
  test("opens exactly the alerts it reports, or the history when none was recorded", async () => {
    const { alertsLink } = await import("~/server/alerts/store.server");
    const a = "6f1c2a52-0c5e-4bb1-9d3a-2b4c6d8e0f11";
    const b = "7a2d3b63-1d6f-4cc2-8e4b-3c5d7e9f1a22";
    expect(alertsLink("https://ip.example.com/alerts", [a])).toBe(`https://ip.example.com/alerts?tab=history&alert=${a}`);
    expect(alertsLink("https://ip.example.com/alerts", [a, b, a, null])).toBe(`https://ip.example.com/alerts?tab=history&alert=${a},${b}`);
    expect(alertsLink("https://ip.example.com/alerts", [null])).toBe("https://ip.example.com/alerts?tab=history");
  });
});
