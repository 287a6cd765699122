// Health scoring as pure functions: facts gathered by health.server.ts in, a 0–100 score with a
// status and the reasons behind it out. Each finding lowers the area's score to at most its
// ceiling, so the score is the worst thing found and the reasons say what it was.

export type HealthStatus = "ok" | "warn" | "fail";

export interface AreaScore {
  score: number;
  status: HealthStatus;
  reasons: string[];
  details: Record<string, unknown>;
}

// The first five are the contract's (API.md); containers, proxies, alerts and monitors were added
// so the score cannot read "healthy" while workloads crash, upstreams are dead or alerts fire.
export const HEALTH_AREAS = ["certificates", "database", "system", "docker", "nginx", "containers", "proxies", "alerts", "monitors"] as const;
export type HealthArea = (typeof HEALTH_AREAS)[number];

export interface HealthReport {
  score: number;
  status: HealthStatus;
  /** Why the score is below 100: the reasons of every area not ok, worst area first. */
  reasons: string[];
  areas: Record<HealthArea, AreaScore>;
  checkedAt: string;
}

export function statusOf(score: number): HealthStatus {
  return score >= 80 ? "ok" : score >= 50 ? "warn" : "fail";
}

class Scorer {
  score = 100;
  readonly reasons: string[] = [];
  cap(ceiling: number, reason: string) {
    this.score = Math.min(this.score, ceiling);
    this.reasons.push(reason);
  }
  result(details: Record<string, unknown>, fallback: string): AreaScore {
    const score = Math.max(0, Math.round(this.score));
    return { score, status: statusOf(score), reasons: this.reasons.length ? this.reasons : [fallback], details };
  }
}

const days = (ms: number) => Math.floor(ms / 86_400_000);
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

export interface CertificateHealthFacts {
  name: string;
  status: string;
  error: string | null;
  notAfter: number | null;
  /** From the stored PEM when there is one. */
  keyType: string | null;
  keyBits: number | null;
  /** true: every certificate in the chain is signed by the next; false: broken; null: unknown. */
  chainValid: boolean | null;
  selfSigned: boolean;
}

export function scoreCertificates(certs: CertificateHealthFacts[], now: number): AreaScore {
  const s = new Scorer();
  for (const c of certs) {
    if (c.status === "error") s.cap(40, `${c.name}: issuing or renewing failed${c.error ? ` (${c.error.slice(0, 200)})` : ""}`);
    if (c.notAfter !== null) {
      const left = c.notAfter - now;
      if (left <= 0) s.cap(0, `${c.name}: expired ${days(-left)} days ago`);
      else if (left < 7 * 86_400_000) s.cap(20, `${c.name}: expires in ${days(left)} days`);
      else if (left < 14 * 86_400_000) s.cap(50, `${c.name}: expires in ${days(left)} days`);
      else if (left < 30 * 86_400_000) s.cap(80, `${c.name}: expires in ${days(left)} days`);
    } else if (c.status === "pending") s.cap(90, `${c.name}: not issued yet`);
    if (c.keyType === "rsa" && c.keyBits !== null && c.keyBits < 2048) s.cap(40, `${c.name}: weak RSA key (${c.keyBits} bits)`);
    if (c.keyType === "ec" && c.keyBits !== null && c.keyBits < 256) s.cap(40, `${c.name}: weak EC key (${c.keyBits} bits)`);
    if (c.chainValid === false) s.cap(50, `${c.name}: the certificate chain does not verify`);
    if (c.selfSigned) s.cap(70, `${c.name}: self-signed (browsers will warn)`);
  }
  return s.result({ count: certs.length }, certs.length ? `${certs.length} certificate${certs.length === 1 ? "" : "s"}, all valid for 30 days or more` : "No certificates yet.");
}

export interface DatabaseHealthFacts {
  reachable: boolean;
  error: string | null;
  latencyMs: number | null;
  connections: number | null;
  maxConnections: number | null;
  sizeBytes: number | null;
}

export function scoreDatabase(f: DatabaseHealthFacts): AreaScore {
  const s = new Scorer();
  if (!f.reachable) {
    s.cap(0, `Database not reachable: ${f.error ?? "no answer"}`);
    return s.result({ ...f }, "");
  }
  if (f.latencyMs !== null) {
    if (f.latencyMs > 500) s.cap(40, `Query latency ${Math.round(f.latencyMs)} ms (over 500 ms)`);
    else if (f.latencyMs > 100) s.cap(75, `Query latency ${Math.round(f.latencyMs)} ms (over 100 ms)`);
  }
  if (f.connections !== null && f.maxConnections) {
    const used = f.connections / f.maxConnections;
    if (used > 0.9) s.cap(40, `${f.connections} of ${f.maxConnections} connections in use`);
    else if (used > 0.75) s.cap(75, `${f.connections} of ${f.maxConnections} connections in use`);
  }
  const fine = `Answers in ${f.latencyMs?.toFixed(1) ?? "?"} ms; ${f.connections ?? "?"}/${f.maxConnections ?? "?"} connections; ${f.sizeBytes === null ? "?" : mb(f.sizeBytes)}`;
  return s.result({ ...f }, fine);
}

export interface SystemHealthFacts {
  uptimeSeconds: number;
  memoryTotalBytes: number;
  memoryAvailableBytes: number;
  load1: number;
  cpus: number;
  eventLoopLagMs: number | null;
  dataDir: string;
  diskTotalBytes: number | null;
  diskFreeBytes: number | null;
}

export function scoreSystem(f: SystemHealthFacts): AreaScore {
  const s = new Scorer();
  const memUsed = f.memoryTotalBytes > 0 ? 1 - f.memoryAvailableBytes / f.memoryTotalBytes : 0;
  if (memUsed > 0.95) s.cap(30, `Memory ${Math.round(memUsed * 100)} % used`);
  else if (memUsed > 0.9) s.cap(60, `Memory ${Math.round(memUsed * 100)} % used`);
  const perCpu = f.cpus > 0 ? f.load1 / f.cpus : 0;
  if (perCpu > 2) s.cap(50, `Load ${f.load1.toFixed(2)} on ${f.cpus} CPUs`);
  else if (perCpu > 1) s.cap(75, `Load ${f.load1.toFixed(2)} on ${f.cpus} CPUs`);
  if (f.eventLoopLagMs !== null) {
    if (f.eventLoopLagMs > 500) s.cap(30, `Event loop lag ${Math.round(f.eventLoopLagMs)} ms (p99)`);
    else if (f.eventLoopLagMs > 100) s.cap(70, `Event loop lag ${Math.round(f.eventLoopLagMs)} ms (p99)`);
  }
  if (f.diskTotalBytes && f.diskFreeBytes !== null) {
    const free = f.diskFreeBytes / f.diskTotalBytes;
    const text = `${gb(f.diskFreeBytes)} free (${Math.round(free * 100)} %) on the disk of ${f.dataDir}`;
    if (free < 0.05) s.cap(20, `Only ${text}`);
    else if (free < 0.1) s.cap(50, `Only ${text}`);
    else if (free < 0.2) s.cap(80, text);
  } else {
    s.cap(60, `Cannot read free disk space of ${f.dataDir}`);
  }
  const fine = `Up ${Math.round(f.uptimeSeconds / 3600)} h; memory ${Math.round(memUsed * 100)} % used; load ${f.load1.toFixed(2)}; ${f.diskFreeBytes === null ? "" : `${gb(f.diskFreeBytes)} free`}`;
  return s.result({ ...f, memoryUsedPercent: Math.round(memUsed * 1000) / 10 }, fine);
}

export interface DockerHealthFacts {
  reachable: boolean;
  error: string | null;
  dockerHost: string;
  version: string | null;
  containers: { total: number; running: number; stopped: number } | null;
}

export function scoreDocker(f: DockerHealthFacts): AreaScore {
  const s = new Scorer();
  if (!f.reachable) s.cap(0, f.error ?? `Docker engine not reachable at ${f.dockerHost}`);
  return s.result({ ...f }, `Docker ${f.version ?? "?"} at ${f.dockerHost}: ${f.containers?.running ?? 0} of ${f.containers?.total ?? 0} containers running`);
}

export interface NginxHealthFacts {
  mode: "local" | "container" | "off";
  version: string | null;
  applyState: string | null;
  applyMessage: string | null;
  appliedAt: string | null;
  /** Container mode: why nginx cannot be driven (no container, not mounted, engine down), or null. */
  problem?: string | null;
  /** The agent whose nginx this is cannot be asked (offline, or the organization has none). */
  unavailable?: string | null;
}

export function scoreNginx(f: NginxHealthFacts): AreaScore {
  const s = new Scorer();
  if (f.unavailable) {
    s.cap(0, f.unavailable);
    return s.result({ ...f }, f.unavailable);
  }
  if (f.mode === "off") return s.result({ ...f }, "nginx is not managed by InfraPilot (NGINX_MODE=off)");
  if (f.mode === "local" && !f.version) s.cap(30, "nginx was not found or does not run (nginx -v failed)");
  if (f.problem) s.cap(30, f.problem);
  if (f.applyState === "error") s.cap(30, `Last apply failed: ${(f.applyMessage ?? "no output").slice(0, 300)}`);
  return s.result({ ...f }, `nginx ${f.version ?? ""} ${f.applyState === "ok" ? "– last apply succeeded" : f.applyState === null ? "– nothing applied yet" : `– ${f.applyState}`}`.trim());
}

export interface ContainerHealthFacts {
  name: string;
  state: string;
  /** Docker's status line ("Exited (1) 2 minutes ago"), where the exit code is read from. */
  status: string;
  health: string;
}

/** The exit code in Docker's status line, or null when it shows none. */
export function exitCodeOf(status: string): number | null {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : null;
}

/**
 * Crashed (exited non-zero, dead), restarting and unhealthy containers. A container stopped with
 * exit code 0 (or by `docker stop`: 143/137 after SIGTERM/SIGKILL, as the crash alert rule reads it) was stopped on purpose and is
 * not a finding; `null` facts mean the engine could not be listed (the docker area says why).
 */
export const STOPPED_ON_PURPOSE: ReadonlySet<number> = new Set([0, 137, 143]);

export function scoreContainers(containers: ContainerHealthFacts[] | null): AreaScore {
  const s = new Scorer();
  if (containers === null) return s.result({ total: null }, "Containers could not be listed (see Docker engine)");
  const stoppedOnPurpose = STOPPED_ON_PURPOSE;
  let crashed = 0;
  let unhealthy = 0;
  let restarting = 0;
  for (const c of containers) {
    const code = exitCodeOf(c.status);
    if (c.state === "dead") {
      crashed++;
      s.cap(40, `${c.name}: dead`);
    } else if (c.state === "exited" && code !== null && !stoppedOnPurpose.has(code)) {
      crashed++;
      s.cap(40, `${c.name}: crashed (exit code ${code})`);
    } else if (c.state === "restarting") {
      restarting++;
      s.cap(40, `${c.name}: restarting`);
    }
    if (c.health === "unhealthy") {
      unhealthy++;
      s.cap(60, `${c.name}: health check failing`);
    }
  }
  const running = containers.filter((c) => c.state === "running").length;
  return s.result({ total: containers.length, running, crashed, restarting, unhealthy }, `${running} of ${containers.length} containers running; none crashed or unhealthy`);
}

export interface ProxyHealthFacts {
  name: string;
  enabled: boolean;
  /** Last apply: ok | error | pending. */
  state: string;
  message: string | null;
  /** Whether the agent reaches the upstream (TCP); null for redirects, container targets or unknown. */
  upstreamReachable: boolean | null;
  upstream: string | null;
  upstreamMessage: string | null;
}

export function scoreProxies(hosts: ProxyHealthFacts[]): AreaScore {
  const s = new Scorer();
  const active = hosts.filter((h) => h.enabled);
  for (const h of active) {
    if (h.state === "error") s.cap(40, `${h.name}: not applied (${(h.message ?? "nginx refused it").slice(0, 200)})`);
    else if (h.state === "pending") s.cap(90, `${h.name}: waiting to be applied`);
    if (h.upstreamReachable === false) s.cap(40, `${h.name}: upstream ${h.upstream ?? ""} does not answer (${h.upstreamMessage ?? "no answer"})`.replace("  ", " "));
  }
  const counts = { total: hosts.length, enabled: active.length, ok: 0, error: 0, pending: 0, deadUpstreams: 0 };
  for (const h of active) {
    if (h.state === "ok" || h.state === "error" || h.state === "pending") counts[h.state]++;
    if (h.upstreamReachable === false) counts.deadUpstreams++;
  }
  return s.result(counts, hosts.length ? `${active.length} proxy host${active.length === 1 ? "" : "s"} applied; every upstream answers` : "No proxy hosts yet.");
}

export interface FiringAlertFacts {
  ruleName: string;
  targetName: string;
  message: string;
  firedAt: string;
}

/** One firing alert puts the area at "needs attention"; two or more at failing. */
export function scoreAlerts(firing: FiringAlertFacts[]): AreaScore {
  const s = new Scorer();
  for (const a of firing) s.cap(firing.length > 1 ? 40 : 60, `${a.ruleName} firing on ${a.targetName}: ${a.message.slice(0, 200)}`);
  return s.result({ firing: firing.length }, "No alert is firing");
}

export interface MonitorHealthFacts {
  name: string;
  status: string;
  message: string | null;
}

export function scoreMonitors(monitors: MonitorHealthFacts[]): AreaScore {
  const s = new Scorer();
  for (const m of monitors) if (m.status === "down") s.cap(40, `${m.name}: down${m.message ? ` (${m.message.slice(0, 200)})` : ""}`);
  const up = monitors.filter((m) => m.status === "up").length;
  const down = monitors.filter((m) => m.status === "down").length;
  return s.result({ total: monitors.length, up, down }, monitors.length ? `${up} of ${monitors.length} monitors up` : "No uptime monitors yet.");
}

/**
 * The overall score: the mean of the areas, but never above the worst area's band: at most 49
 * while any area fails and at most 79 while any needs attention, so the overall status is never
 * better than the worst area's (a mean of nine areas alone hid two firing alerts behind "95").
 * The reasons of every area that is not ok are collected, worst first.
 */
export function overall(areas: Record<HealthArea, AreaScore>, checkedAt: Date): HealthReport {
  const scores = HEALTH_AREAS.map((a) => areas[a].score);
  let score = Math.round(scores.reduce((a, b) => a + b, 0) / scores.length);
  if (HEALTH_AREAS.some((a) => areas[a].status === "fail")) score = Math.min(score, 49);
  else if (HEALTH_AREAS.some((a) => areas[a].status === "warn")) score = Math.min(score, 79);
  const reasons = [...HEALTH_AREAS]
    .filter((a) => areas[a].status !== "ok")
    .sort((a, b) => areas[a].score - areas[b].score)
    .flatMap((a) => areas[a].reasons);
  return { score, status: statusOf(score), reasons, areas, checkedAt: checkedAt.toISOString() };
}
