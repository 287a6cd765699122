// The agent an agent-scoped page (or its action) works on: `?agent=<id>` or the form's `agentId`
// when given — 404 unless it is one of the organization's agents, as the API answers — else the
// one this browser last chose for this organization (a cookie, so the navigation keeps it), else
// the built-in agent (Community: pages look as they always did) or the first online agent.
// Resolving the chosen id to its host still goes through agentFor (docs/decisions/054, 120).
import type { AppLoadContext } from "@remix-run/node";
import { parse, serialize } from "cookie";
import { chooseAgent, readRemembered, remember, withAgent, type AgentPickerData, type PickerAgent } from "~/agent-choice";
import { hasFeature } from "~/features";
import { can } from "~/permissions";
import { organizationAgents } from "../agents/registry.server";
import type { Actor } from "../auth/require.server";
import { edition } from "../edition.server";
import { env } from "../env.server";
import { NotFoundError } from "../errors.server";

export const AGENT_COOKIE = "infrapilot_agent";

export interface PageAgent {
  /** The chosen agent's id, null when the organization has no agent. */
  agentId: string | null;
  agent: PickerAgent | null;
  picker: AgentPickerData;
}

export interface PageAgentOptions {
  /** Defaults to the URL's `?agent=`; an action passes its form's `agentId` (null: the remembered one). */
  requested?: string | null;
  /** Whether an explicit, valid choice is remembered for the next pages (not for API calls). */
  remember?: boolean;
}

export async function pageAgent(actor: Actor, request: Request, context: AppLoadContext, options: PageAgentOptions = {}): Promise<PageAgent> {
  const requested = options.requested === undefined ? new URL(request.url).searchParams.get("agent") : options.requested;
  const agents: PickerAgent[] = (await organizationAgents(actor)).map(({ id, name, kind, status, hostname }) => ({ id, name, kind, status, hostname }));
  const cookie = parse(request.headers.get("cookie") ?? "")[AGENT_COOKIE];
  const choice = chooseAgent(agents, requested?.trim() || null, readRemembered(cookie, actor.orgId));
  if (choice.kind === "unknown") throw new NotFoundError("No such agent.");
  const picker: AgentPickerData = {
    agents,
    agentId: choice.kind === "chosen" ? choice.agent.id : null,
    show: hasFeature(edition(), "remoteAgents") || agents.length > 1,
    canEnroll: hasFeature(edition(), "remoteAgents") && can(actor.role, "manage:agent"),
  };
  if (options.remember !== false && choice.kind === "chosen" && choice.explicit && readRemembered(cookie, actor.orgId) !== choice.agent.id) {
    context.responseHeaders.append(
      "Set-Cookie",
      serialize(AGENT_COOKIE, remember(cookie, actor.orgId, choice.agent.id), { path: "/", httpOnly: true, sameSite: "lax", secure: env().secureCookies, maxAge: 365 * 86_400 }),
    );
  }
  return { agentId: picker.agentId, agent: choice.kind === "chosen" ? choice.agent : null, picker };
}

/** Where an action on `agentId` sends the browser back to: the page, on that agent (SaaS; Community's URLs stay as they are). */
export function pathOnAgent(path: string, agentId: string): string {
  return withAgent(path, { show: hasFeature(edition(), "remoteAgents"), agentId });
}
