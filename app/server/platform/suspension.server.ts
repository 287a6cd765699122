// SaaS: a suspended organization (decision 096). Its members may log in and read; every write is
// refused with 403 org_suspended — by assertPermission for every non-read permission (domain
// verbs, page actions, socket events, API tokens), and, as a second net for verbs that check no
// permission, by the api()/page() wrappers for every non-GET request of a suspended actor except
// the member's own session and credentials (log out, password, MFA, switching organization).
import type { AppLoadContext } from "@remix-run/node";
import { setOrgAgentsPaused } from "../agents/connections.server";
import { getActor } from "../auth/require.server";
import { OrgSuspendedError } from "../errors.server";
import { logger } from "../logger.server";

/** What stays open to a member of a suspended organization: their own person, not the organization. */
const PERSONAL_WRITES: RegExp[] = [
  /^\/api\/v1\/auth\//,
  /^\/api\/v1\/account\//,
  /^\/api\/v1\/orgs\/switch$/,
  /^\/login$/,
  /^\/logout$/,
  /^\/setup$/,
  /^\/theme$/,
  /^\/invite\//,
  /^\/account$/,
  /^\/account\/security$/,
];

export function isPersonalWrite(pathname: string): boolean {
  return PERSONAL_WRITES.some((r) => r.test(pathname));
}

/** Throws 403 org_suspended for a write by a member of a suspended organization. */
export async function refuseWritesOfSuspendedOrg(request: Request, context: AppLoadContext): Promise<void> {
  if (request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS") return;
  if (isPersonalWrite(new URL(request.url).pathname)) return;
  const actor = await getActor(request, context);
  if (actor?.orgSuspended) throw new OrgSuspendedError();
}

/**
 * Tells the organization's connected agents to pause while it is suspended (decision 125): the
 * control plane marks each paused, so it dispatches no command that changes anything to it, and
 * sends it an `org:suspension` frame, so the node refuses such commands itself. Agents that connect
 * later are told in their connection's reply. Resuming undoes both.
 */
export async function pauseOrgAgents(orgId: string): Promise<void> {
  const connectedAgents = setOrgAgentsPaused(orgId, true);
  logger.info("organization suspended: its agents are told to pause", { orgId, connectedAgents });
}

export async function resumeOrgAgents(orgId: string): Promise<void> {
  const connectedAgents = setOrgAgentsPaused(orgId, false);
  logger.info("organization unsuspended: its agents are told to resume", { orgId, connectedAgents });
}
