// What the Images, Volumes and Networks pages load around their list: the built-in agent (as the
// Containers page does), where its engine is, what the viewer may do, and the engine's outage
// shown as a message instead of an error page.
import { can } from "~/permissions";
import { agentFor, localAgentId } from "../agents/registry.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { toAppError } from "../errors.server";

export interface ObjectsPermissions {
  canOperate: boolean;
  canDelete: boolean;
}

export async function objectsPage<T>(actor: Actor, list: (agentId: string) => Promise<T>): Promise<{ agentId: string; dockerHost: string; data: T | null; unreachable: string | null; permissions: ObjectsPermissions }> {
  assertPermission(actor, "read:docker-object");
  const agentId = await localAgentId(actor);
  const { facts } = await agentFor(actor, agentId);
  const { dockerHost } = await facts();
  const permissions = { canOperate: can(actor.role, "operate:docker-object"), canDelete: can(actor.role, "delete:docker-object") };
  try {
    return { agentId, dockerHost, data: await list(agentId), unreachable: null, permissions };
  } catch (error) {
    if (toAppError(error)?.code !== "docker_unreachable") throw error;
    return { agentId, dockerHost, data: null, unreachable: toAppError(error)!.message, permissions };
  }
}
