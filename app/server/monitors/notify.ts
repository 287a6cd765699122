// Pure rendering of monitor down/up notifications in the alert channels' message shape, so every
// channel sender (app/server/alerts/channels) delivers them unchanged.
import type { AlertItem, AlertMessage } from "../alerts/channels/types";

export interface MonitorEvent {
  monitorId: string;
  name: string;
  target: string;
  kind: "down" | "up";
  cause: string | null;
  message: string;
  latencyMs: number | null;
  at: Date;
}

export function renderMonitorMessage(event: MonitorEvent, link: string): AlertMessage {
  const item: AlertItem = {
    ruleId: null,
    ruleName: `Monitor ${event.name}`,
    ruleType: `monitor_${event.kind}`,
    target: event.monitorId,
    targetName: event.target,
    state: event.kind === "down" ? "firing" : "resolved",
    value: event.latencyMs,
    message: event.kind === "down" ? `DOWN${event.cause ? ` (${event.cause})` : ""}: ${event.message}` : `UP again: ${event.message}`,
    at: event.at.toISOString(),
  };
  // Plain ASCII: the title is also an e-mail subject.
  const title = `[InfraPilot] ${event.kind === "down" ? "Down" : "Up"}: ${event.name}`;
  const text = [`${event.kind === "down" ? "[DOWN]" : "[UP]"} ${event.name} - ${event.target}: ${item.message}`, "", `Details: ${link}`].join("\n");
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
