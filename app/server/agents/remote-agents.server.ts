// Managing remote agents (SaaS): renaming, and deleting, which revokes the agent's credentials
// and closes its socket at once. The row is kept (hidden, its key refused) so the node learns it
// was removed and stops, instead of looking like a lost row it may re-enroll for.
import { audit } from "../audit/audit.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { withOrg } from "../db/client.server";
import { requireFeature } from "../edition.server";
import { ConflictError, NotFoundError } from "../errors.server";
import { revokeLiveAgent } from "./connections.server";
import { AGENT_SELECT, toAgentDto, type AgentDto } from "./registry.server";

async function remoteRow(actor: Actor, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError("No such agent.");
  const row = await withOrg(actor.orgId, (tx) => tx.agent.findFirst({ where: { id, orgId: actor.orgId, revokedAt: null }, select: AGENT_SELECT }));
  if (!row) throw new NotFoundError("No such agent.");
  if (row.kind !== "remote") throw new ConflictError("The built-in agent cannot be renamed or deleted.");
  return row;
}

export async function renameAgent(actor: Actor, id: string, input: { name: string }): Promise<AgentDto> {
  requireFeature("remoteAgents");
  assertPermission(actor, "manage:agent");
  const row = await remoteRow(actor, id);
  const clash = await withOrg(actor.orgId, (tx) => tx.agent.findFirst({ where: { orgId: actor.orgId, name: input.name, NOT: { id } }, select: { id: true } }));
  if (clash) throw new ConflictError("Another agent has that name.");
  const updated = await withOrg(actor.orgId, (tx) => tx.agent.update({ where: { id }, data: { name: input.name }, select: AGENT_SELECT }));
  await audit({ orgId: actor.orgId, action: "agent.rename", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "agent", targetId: id, ip: actor.ip, details: { from: row.name, to: input.name } });
  return toAgentDto(updated);
}

export async function deleteAgent(actor: Actor, id: string): Promise<void> {
  requireFeature("remoteAgents");
  assertPermission(actor, "manage:agent");
  const row = await remoteRow(actor, id);
  await withOrg(actor.orgId, (tx) =>
    // The name is freed for a new agent; the key stays so a connection with it is told "revoked".
    tx.agent.update({ where: { id }, data: { revokedAt: new Date(), status: "offline", name: `${row.name}~deleted-${id}` } }),
  );
  revokeLiveAgent(id, "This agent was deleted by an administrator; its credentials are revoked.");
  await audit({ orgId: actor.orgId, action: "agent.delete", outcome: "success", actorId: actor.userId, actorEmail: actor.email, targetType: "agent", targetId: id, ip: actor.ip, details: { name: row.name } });
}
