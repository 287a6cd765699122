// Pure rendering of monitor notifications in the alert channels' message shape, so every channel
// sender (app/server/alerts/channels) delivers them unchanged, and the findings that feed alert
// rules targeting monitors (decision 062).
import type { AlertItem, AlertMessage } from "../alerts/channels/types";
import { globToRegExp, type Finding, type RuleSpec } from "../alerts/evaluate";

export interface MonitorEvent {
  monitorId: string;
  name: string;
  target: string;
  /** down / up: a state change; reminder: still down (resend-every-N); cert: certificate expiring; cert_renewed: a new one. */
  kind: "down" | "up" | "reminder" | "cert" | "cert_renewed";
  cause: string | null;
  message: string;
  latencyMs: number | null;
  at: Date;
}

const TITLES: Record<MonitorEvent["kind"], string> = { down: "Down", up: "Up", reminder: "Still down", cert: "Certificate expiring", cert_renewed: "Certificate renewed" };

function itemMessage(event: MonitorEvent): string {
  switch (event.kind) {
    case "down":
      return `DOWN${event.cause ? ` (${event.cause})` : ""}: ${event.message}`;
    case "reminder":
      return `STILL DOWN: ${event.message}`;
    case "up":
      return `UP again: ${event.message}`;
    default:
      return event.message;
  }
}

export function renderMonitorMessage(event: MonitorEvent, link: string): AlertMessage {
  const firing = event.kind === "down" || event.kind === "reminder" || event.kind === "cert";
  const item: AlertItem = {
    ruleId: null,
    ruleName: `Monitor ${event.name}`,
    ruleType: `monitor_${event.kind}`,
    target: event.monitorId,
    targetName: event.target,
    state: firing ? "firing" : "resolved",
    value: event.latencyMs,
    message: itemMessage(event),
    at: event.at.toISOString(),
  };
  // Plain ASCII: the title is also an e-mail subject.
  const title = `[InfraPilot] ${TITLES[event.kind]}: ${event.name}`;
  const text = [`[${TITLES[event.kind].toUpperCase()}] ${event.name} - ${event.target}: ${item.message}`, "", `Details: ${link}`].join("\n");
  return { title, text, items: [item], test: false, link };
}

/** What a monitor checks, for messages: its URL, host:port, container or "push". */
export function describeTarget(type: string, config: Record<string, unknown>): string {
  if (type === "http") return String(config.url ?? "");
  if (type === "tcp") return `${String(config.host ?? "")}:${String(config.port ?? "")}`;
  if (type === "ping") return `ping ${String(config.host ?? "")}`;
  if (type === "dns") return `DNS ${String(config.recordType ?? "A")} ${String(config.name ?? "")}${config.server ? ` @${String(config.server)}` : ""}`;
  if (type === "container") return `container ${String(config.containerName ?? "")}`;
  if (type === "push") return "push heartbeat";
  return type;
}

/** A rule's scope applied to a monitor: `namePattern` is a glob on its name, `all` takes every one, stack/label none. */
export function monitorInScope(rule: Pick<RuleSpec, "scope">, name: string): boolean {
  const scope = rule.scope;
  if ("all" in scope) return true;
  if ("namePattern" in scope) return globToRegExp(scope.namePattern).test(name);
  return false;
}

/**
 * Monitor events → findings for the alert rules that target monitors (target `monitor:<id>`):
 * monitor_down fires on down and resolves on up; monitor_cert_expiry fires on a certificate
 * warning and resolves when a new certificate is seen. Reminders feed nothing (rules have their own cooldown).
 */
export function monitorFindings(rules: RuleSpec[], events: MonitorEvent[]): Finding[] {
  const findings: Finding[] = [];
  for (const e of events) {
    for (const rule of rules) {
      if (!rule.enabled || !monitorInScope(rule, e.name)) continue;
      const base = { ruleId: rule.id, target: `monitor:${e.monitorId}`, targetName: e.name, value: e.latencyMs };
      if (rule.type === "monitor_down" && (e.kind === "down" || e.kind === "up")) {
        findings.push({ ...base, status: e.kind === "down" ? "firing" : "ok", message: e.kind === "down" ? `is down${e.cause ? ` (${e.cause})` : ""}: ${e.message}` : `is up again: ${e.message}` });
      } else if (rule.type === "monitor_cert_expiry" && (e.kind === "cert" || e.kind === "cert_renewed")) {
        findings.push({ ...base, status: e.kind === "cert" ? "firing" : "ok", value: null, message: `${e.target}: ${e.message}` });
      }
    }
  }
  return findings;
}
