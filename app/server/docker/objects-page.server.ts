// What the Images, Volumes and Networks pages load around their list: the chosen agent (as the
// Containers page does), where its engine is, what the viewer may do, and the engine's outage or
// the agent being offline shown as a message instead of an error page.
import { can } from "~/permissions";
import { agentFor, agentOfflineMessage } from "../agents/registry.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { toAppError } from "../errors.server";

export interface ObjectsPermissions {
  canOperate: boolean;
  canDelete: boolean;
}

export async function objectsPage<T>(
  actor: Actor,
  agentId: string | null,
  list: (agentId: string) => Promise<T>,
): Promise<{ agentId: string | null; dockerHost: string | null; data: T | null; unreachable: string | null; offline: boolean; permissions: ObjectsPermissions }> {
  assertPermission(actor, "read:docker-object");
  const permissions = { canOperate: can(actor.role, "operate:docker-object"), canDelete: can(actor.role, "delete:docker-object") };
  let dockerHost: string | null = null;
  // No agent at all (SaaS before the first enrollment): the page says how to add one.
  if (!agentId) return { agentId, dockerHost, data: null, unreachable: null, offline: false, permissions };
  try {
    const { facts } = await agentFor(actor, agentId);
    dockerHost = (await facts()).dockerHost;
    return { agentId, dockerHost, data: await list(agentId), unreachable: null, offline: false, permissions };
  } catch (error) {
    const offline = agentOfflineMessage(error) ?? (toAppError(error)?.code === "agent_offline" ? toAppError(error)!.message : null);
    if (offline) return { agentId, dockerHost, data: null, unreachable: offline, offline: true, permissions };
    if (toAppError(error)?.code !== "docker_unreachable") throw error;
    return { agentId, dockerHost, data: null, unreachable: toAppError(error)!.message, offline: false, permissions };
  }
}
