// GET /metrics in the Prometheus text format (served by server.ts, off without METRICS_TOKEN).
// Metrics are per install: cross-organization counts come from SECURITY DEFINER functions in the
// alerts migration that return numbers only, never any tenant's names or messages.
import { builtInHost } from "../agents/registry.server";
import { safeEqual } from "../crypto.server";
import { systemDb } from "../db/client.server";
import { env } from "../env.server";
import { singleton } from "../singleton.server";
import { runningEngine } from "../alerts/engine.server";
import { eventLoopLagMs } from "./health.server";
import { withTimeout } from "../with-timeout";

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

const requests = () => singleton("metrics:http", () => new Map<string, Histogram>());

/** Records one HTTP request (server.ts calls it when the response finishes). */
export function observeRequest(method: string, status: number, seconds: number): void {
  const key = `${/^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/.test(method) ? method : "OTHER"}|${Math.floor(status / 100)}xx`;
  const map = requests();
  let h = map.get(key);
  if (!h) map.set(key, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
  for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.counts[i]!++;
  h.sum += seconds;
  h.count++;
}

/** null: /metrics is off (no METRICS_TOKEN) → 404; false: wrong or missing token → 401. */
export function metricsAuthorized(authorization: string | undefined): boolean | null {
  const token = env().METRICS_TOKEN;
  if (!token) return null;
  const given = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim() ?? "";
  return safeEqual(given, token);
}

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

class Exposition {
  private lines: string[] = [];
  metric(name: string, type: "gauge" | "counter" | "histogram", help: string, samples: [Record<string, string>, number][]) {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const l = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`).join(",");
      this.lines.push(`${name}${l ? `{${l}}` : ""} ${Number.isFinite(value) ? value : "NaN"}`);
    }
  }
  raw(...lines: string[]) {
    this.lines.push(...lines);
  }
  text() {
    return this.lines.join("\n") + "\n";
  }
}

export async function buildMetrics(now = Date.now()): Promise<string> {
  const out = new Exposition();
  // SaaS has no built-in agent (decision 091): no engine metrics from the control plane.
  const agent = builtInHost()?.agent;
  const containers = agent ? await withTimeout(agent.listContainers({ all: true }).catch(() => null), 3_000, () => null) : null;
  if (agent) out.metric("infrapilot_docker_up", "gauge", "Whether the built-in agent's Docker engine answers.", [[{}, containers ? 1 : 0]]);
  if (containers) {
    const byState = new Map<string, number>();
    for (const state of ["running", "exited", "paused", "restarting", "created", "dead"]) byState.set(state, 0);
    for (const c of containers) byState.set(c.state, (byState.get(c.state) ?? 0) + 1);
    out.metric("infrapilot_containers", "gauge", "Containers on the built-in agent by state.", [...byState].map(([state, n]) => [{ state }, n]));
  }

  const db = systemDb();
  const [firing, certs, apply] = await Promise.all([
    db.$queryRaw<{ ruleType: string; firing: bigint }[]>`SELECT "ruleType", firing FROM metrics_alerts_firing()`,
    db.$queryRaw<{ id: string; status: string; notAfter: Date | null }[]>`SELECT id, status, "notAfter" FROM metrics_certificates()`,
    db.$queryRaw<{ state: string; agents: bigint }[]>`SELECT state, agents FROM metrics_proxy_apply()`,
  ]);
  out.metric("infrapilot_alerts_firing", "gauge", "Alerts currently firing, by rule type.", firing.map((r) => [{ rule_type: r.ruleType }, Number(r.firing)]));
  out.metric(
    "infrapilot_certificate_expiry_days",
    "gauge",
    "Days until each issued certificate expires (negative: expired).",
    certs.filter((c) => c.notAfter).map((c) => [{ certificate_id: c.id }, Math.round(((c.notAfter!.getTime() - now) / 86_400_000) * 100) / 100]),
  );
  const certStates = new Map<string, number>();
  for (const c of certs) certStates.set(c.status, (certStates.get(c.status) ?? 0) + 1);
  out.metric("infrapilot_certificates", "gauge", "Certificates by status.", [...certStates].map(([status, n]) => [{ status }, n]));
  out.metric("infrapilot_proxy_apply_failures", "gauge", "Agents whose last nginx apply failed.", [[{}, Number(apply.find((a) => a.state === "error")?.agents ?? 0)]]);

  const engine = runningEngine();
  out.metric("infrapilot_alert_engine_last_tick_seconds", "gauge", "Unix time of the alert engine's last completed tick.", engine?.lastTickAt ? [[{}, Math.round(engine.lastTickAt / 1000)]] : []);

  const lag = eventLoopLagMs();
  out.metric("infrapilot_event_loop_lag_seconds", "gauge", "p99 event loop delay.", lag === null ? [] : [[{}, lag / 1000]]);
  out.metric("infrapilot_process_resident_memory_bytes", "gauge", "Resident memory of the server process.", [[{}, process.memoryUsage.rss()]]);
  out.metric("infrapilot_process_uptime_seconds", "gauge", "Seconds since the server process started.", [[{}, Math.round(process.uptime())]]);

  out.raw("# HELP infrapilot_http_request_duration_seconds HTTP request latency.", "# TYPE infrapilot_http_request_duration_seconds histogram");
  for (const [key, h] of requests()) {
    const [method, code] = key.split("|") as [string, string];
    const labels = `method="${method}",code="${code}"`;
    BUCKETS.forEach((b, i) => out.raw(`infrapilot_http_request_duration_seconds_bucket{${labels},le="${b}"} ${h.counts[i]}`));
    out.raw(
      `infrapilot_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`,
      `infrapilot_http_request_duration_seconds_sum{${labels}} ${h.sum}`,
      `infrapilot_http_request_duration_seconds_count{${labels}} ${h.count}`,
    );
  }
  return out.text();
}
