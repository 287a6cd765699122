// Network verbs (docs/decisions/075): list with the containers attached, create a user bridge
// network (validated name, subnet and gateway), remove one that nothing uses. The engine's own
// networks (bridge, host, none) and InfraPilot's deployment's networks are never removed.
import type { NetworkSummary } from "#agent/resource-types";
import type { SelfContainers } from "#agent/types";
import type { NetworkItem } from "~/docker-objects";
import { CreateNetworkSchema, NETWORK_ID, OBJECT_NAME } from "~/validation/resources";
import { agentFor } from "../agents/registry.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { ConflictError, NotFoundError, ValidationError } from "../errors.server";
import { parseWith } from "../http/api.server";
import { selfContainersOf } from "./containers.server";
import { auditedChange, checkObjectPolicy, refuseProtected } from "./object-change.server";
import { COMPOSE_PROJECT, nameList, objectProtection, toUsers } from "./object-protection";

export function toNetworkItem(network: NetworkSummary, self: SelfContainers): NetworkItem {
  return {
    id: network.id,
    shortId: network.id.slice(0, 12),
    name: network.name,
    driver: network.driver,
    scope: network.scope,
    internal: network.internal,
    attachable: network.attachable,
    builtIn: network.builtIn,
    createdAt: network.createdAt,
    subnets: network.subnets,
    stack: network.labels[COMPOSE_PROJECT] ?? null,
    containers: toUsers(network.containers).map((u) => ({ ...u, ipv4Address: network.containers.find((c) => c.id === u.id)?.ipv4Address ?? null })),
    protection: network.builtIn ? null : objectProtection("network", network, self),
  };
}

export async function listNetworks(actor: Actor, agentId: string): Promise<{ items: NetworkItem[]; nextCursor: null }> {
  assertPermission(actor, "read:docker-object");
  const { agent } = await agentFor(actor, agentId);
  const [networks, self] = await Promise.all([agent.listNetworks(), selfContainersOf(agent)]);
  return { items: networks.map((n) => toNetworkItem(n, self)), nextCursor: null };
}

export async function createNetwork(actor: Actor, agentId: string, input: unknown): Promise<NetworkItem> {
  assertPermission(actor, "operate:docker-object");
  const data = parseWith(CreateNetworkSchema, input);
  const { agent } = await agentFor(actor, agentId);
  const change = { agentId, kind: "network" as const, action: "create" as const, target: data.name };
  await checkObjectPolicy(actor, change);
  // The engine would accept a second network of the same name; a name must say which one it is.
  if ((await agent.listNetworks()).some((n) => n.name === data.name)) {
    throw new ValidationError("Some fields are not valid.", { name: "A network with this name already exists." });
  }
  const details = { name: data.name, driver: data.driver, subnet: data.subnet ?? null, gateway: data.gateway ?? null, internal: data.internal, attachable: data.attachable };
  const created = await auditedChange(actor, change, details, () =>
    agent.createNetwork({ name: data.name, driver: data.driver, subnet: data.subnet, gateway: data.gateway, internal: data.internal, attachable: data.attachable }),
    (n) => ({ networkId: n.id }),
  );
  return toNetworkItem(created, await selfContainersOf(agent));
}

export async function removeNetwork(actor: Actor, agentId: string, ref: string): Promise<void> {
  assertPermission(actor, "delete:docker-object");
  if (!NETWORK_ID.test(ref) && !OBJECT_NAME.test(ref)) throw new NotFoundError("No such network on this host.");
  const { agent } = await agentFor(actor, agentId);
  const [networks, self] = await Promise.all([agent.listNetworks(), selfContainersOf(agent)]);
  const network = networks.find((n) => n.id === ref) ?? networks.find((n) => n.name === ref) ?? (NETWORK_ID.test(ref) ? networks.find((n) => n.id.startsWith(ref)) : undefined);
  if (!network) throw new NotFoundError("No such network on this host.");
  const change = { agentId, kind: "network" as const, action: "remove" as const, target: network.id };
  const details = { name: network.name };
  if (network.builtIn) throw new ConflictError(`${network.name} is one of the engine's own networks: it cannot be removed.`);
  await checkObjectPolicy(actor, change);
  const protection = objectProtection("network", network, self);
  if (protection) await refuseProtected(actor, change, protection, details);
  if (network.containers.length > 0) throw new ConflictError(`${network.name} has containers attached (${nameList(network.containers)}). Disconnect or remove them first.`);
  await auditedChange(actor, change, details, () => agent.removeNetwork(network.id));
}
