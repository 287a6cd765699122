// Shared by server and browser: which of the organization's agents an agent-scoped page shows
// (Containers, Images, Volumes, Networks, Proxies, Logs, Health, Dashboard), and how a link keeps
// that choice. Pure; the server part (cookie, listing, 404) is app/server/http/agent-choice.server.ts.
// See docs/decisions/120-agent-picker.md.

export interface PickerAgent {
  id: string;
  name: string;
  kind: "local" | "remote";
  status: "online" | "offline";
  hostname: string | null;
}

/** What a page's loader hands its picker. */
export interface AgentPickerData {
  agents: PickerAgent[];
  /** The agent the page shows; null only when the organization has none. */
  agentId: string | null;
  /** Whether the page shows the picker at all: Community's single built-in agent needs none. */
  show: boolean;
  /** Whether the viewer may enroll an agent (the empty state offers it). */
  canEnroll: boolean;
}

export type AgentChoiceResult = { kind: "chosen"; agent: PickerAgent; explicit: boolean } | { kind: "none" } | { kind: "unknown" };

/**
 * `requested` (the URL's or the form's agent id) wins, and must be one of `agents` ("unknown"
 * otherwise: the caller answers 404, as the API does for another organization's agent id). Then the
 * one remembered for this organization, then the built-in agent, the first online one, the first.
 */
export function chooseAgent(agents: readonly PickerAgent[], requested: string | null | undefined, remembered: string | null | undefined): AgentChoiceResult {
  if (requested) {
    const agent = agents.find((a) => a.id === requested);
    return agent ? { kind: "chosen", agent, explicit: true } : { kind: "unknown" };
  }
  const agent = agents.find((a) => a.id === remembered) ?? agents.find((a) => a.kind === "local") ?? agents.find((a) => a.status === "online") ?? agents[0];
  return agent ? { kind: "chosen", agent, explicit: false } : { kind: "none" };
}

/** `path` with the chosen agent in its query when the page shows a picker, unchanged otherwise (Community). */
export function withAgent(path: string, picker: Pick<AgentPickerData, "agentId" | "show"> | null | undefined): string {
  if (!picker?.show || !picker.agentId) return path;
  const [base, query = ""] = path.split("?", 2) as [string, string?];
  const params = new URLSearchParams(query);
  params.set("agent", picker.agentId);
  return `${base}?${params.toString()}`;
}

/** The remembered choices cookie: `orgId:agentId` pairs, newest first, a few organizations at most. */
export const REMEMBERED_ORGS = 8;

export function readRemembered(value: string | undefined, orgId: string): string | null {
  for (const pair of (value ?? "").split(",")) {
    const [org, agent] = pair.split(":");
    if (org === orgId && agent) return agent;
  }
  return null;
}

export function remember(value: string | undefined, orgId: string, agentId: string): string {
  const others = (value ?? "")
    .split(",")
    .filter((pair) => /^[0-9a-f-]{36}:[0-9a-f-]{36}$/i.test(pair) && !pair.startsWith(`${orgId}:`));
  return [`${orgId}:${agentId}`, ...others].slice(0, REMEMBERED_ORGS).join(",");
}
