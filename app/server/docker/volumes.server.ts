// Volume verbs (docs/decisions/075): list with the containers using each and, when the engine
// answers quickly, their size; remove an unused volume; prune unused ones (anonymous only, or
// named ones too). A volume InfraPilot's own deployment uses or owns is never removed.
import type { VolumeSummary } from "#agent/resource-types";
import type { SelfContainers } from "#agent/types";
import type { PruneOutcome, VolumeItem } from "~/docker-objects";
import { OBJECT_NAME } from "~/validation/resources";
import { agentFor } from "../agents/registry.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { ConflictError, NotFoundError } from "../errors.server";
import { selfContainersOf } from "./containers.server";
import { auditedChange, checkObjectPolicy, refuseProtected } from "./object-change.server";
import { COMPOSE_PROJECT, keepLabels, nameList, objectProtection, toUsers } from "./object-protection";

export function toVolumeItem(volume: VolumeSummary, self: SelfContainers): VolumeItem {
  return {
    name: volume.name,
    driver: volume.driver,
    mountpoint: volume.mountpoint,
    createdAt: volume.createdAt,
    sizeBytes: volume.sizeBytes,
    anonymous: volume.anonymous,
    stack: volume.labels[COMPOSE_PROJECT] ?? null,
    containers: toUsers(volume.containers),
    protection: objectProtection("volume", volume, self),
  };
}

/** `sizes` (default true) asks the engine for disk use, given up after 2 s: sizes are shown when cheap. */
export async function listVolumes(actor: Actor, agentId: string, options: { sizes?: boolean } = {}): Promise<{ items: VolumeItem[]; nextCursor: null; sizesKnown: boolean }> {
  assertPermission(actor, "read:docker-object");
  const { agent } = await agentFor(actor, agentId);
  const sizes = options.sizes ?? true;
  const [volumes, self] = await Promise.all([agent.listVolumes({ sizes, sizeTimeoutMs: 2_000 }), selfContainersOf(agent)]);
  const items = volumes.map((v) => toVolumeItem(v, self));
  return { items, nextCursor: null, sizesKnown: sizes && (items.length === 0 || items.some((v) => v.sizeBytes !== null)) };
}

export async function removeVolume(actor: Actor, agentId: string, name: string): Promise<void> {
  assertPermission(actor, "delete:docker-object");
  if (!OBJECT_NAME.test(name)) throw new NotFoundError("No such volume on this host.");
  const { agent } = await agentFor(actor, agentId);
  const [volumes, self] = await Promise.all([agent.listVolumes(), selfContainersOf(agent)]);
  const volume = volumes.find((v) => v.name === name);
  if (!volume) throw new NotFoundError("No such volume on this host.");
  const change = { agentId, kind: "volume" as const, action: "remove" as const, target: volume.name };
  const details = { name: volume.name };
  await checkObjectPolicy(actor, change);
  const protection = objectProtection("volume", volume, self);
  if (protection) await refuseProtected(actor, change, protection, details);
  if (volume.containers.length > 0) throw new ConflictError(`${volume.name} is used by ${nameList(volume.containers)}. Remove those containers first.`);
  await auditedChange(actor, change, details, () => agent.removeVolume(volume.name));
}

export async function pruneVolumes(actor: Actor, agentId: string, options: { all: boolean }): Promise<PruneOutcome> {
  assertPermission(actor, "delete:docker-object");
  const { agent } = await agentFor(actor, agentId);
  const change = { agentId, kind: "volume" as const, action: "prune" as const, target: null };
  await checkObjectPolicy(actor, change);
  const self = await selfContainersOf(agent);
  return auditedChange(actor, change, { name: options.all ? "all unused volumes" : "unused anonymous volumes", all: options.all }, () =>
    agent.pruneVolumes({ all: options.all, keepLabels: keepLabels(self) }),
    (r) => ({ removed: r.deleted.length, reclaimedBytes: r.reclaimedBytes }),
  );
}
