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

export const HEALTH_AREAS = ["certificates", "database", "system", "docker", "nginx"] as const;
export type HealthArea = (typeof HEALTH_AREAS)[number];

export interface HealthReport {
  score: number;
  status: HealthStatus;
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
}

export function scoreNginx(f: NginxHealthFacts): AreaScore {
  const s = new Scorer();
  if (f.mode === "off") return s.result({ ...f }, "nginx is not managed by InfraPilot (NGINX_MODE=off)");
  if (f.mode === "local" && !f.version) s.cap(30, "nginx was not found or does not run (nginx -v failed)");
  if (f.problem) s.cap(30, f.problem);
  if (f.applyState === "error") s.cap(30, `Last apply failed: ${(f.applyMessage ?? "no output").slice(0, 300)}`);
  return s.result({ ...f }, `nginx ${f.version ?? ""} ${f.applyState === "ok" ? "– last apply succeeded" : f.applyState === null ? "– nothing applied yet" : `– ${f.applyState}`}`.trim());
}

/** The overall score: the mean of the areas, but never above a failing area's ceiling of 49. */
export function overall(areas: Record<HealthArea, AreaScore>, checkedAt: Date): HealthReport {
  const scores = HEALTH_AREAS.map((a) => areas[a].score);
  let score = Math.round(scores.reduce((a, b) => a + b, 0) / scores.length);
  if (HEALTH_AREAS.some((a) => areas[a].status === "fail")) score = Math.min(score, 49);
  return { score, status: statusOf(score), areas, checkedAt: checkedAt.toISOString() };
}
