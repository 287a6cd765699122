// Image verbs (docs/decisions/075): list with size, tags and the containers using each; pull by a
// validated reference with progress; remove (refused while containers use it unless forced, and
// always for what InfraPilot's own deployment uses); prune dangling or all unused images.
// Permission first, then the agent (404 for another organization's), then policy and protection.
import type { ImageSummary } from "#agent/resource-types";
import type { SelfContainers } from "#agent/types";
import { shortImageId, type ImageItem, type PruneOutcome, type PullEvent } from "~/docker-objects";
import { IMAGE_ID, PullImageSchema } from "~/validation/resources";
import { agentFor } from "../agents/registry.server";
import { audit } from "../audit/audit.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { ConflictError, NotFoundError, toAppError } from "../errors.server";
import { parseWith } from "../http/api.server";
import { logger } from "../logger.server";
import { auditActor, selfContainersOf } from "./containers.server";
import { auditedChange, checkObjectPolicy, refuseProtected } from "./object-change.server";
import { keepLabels, nameList, objectProtection, toUsers } from "./object-protection";

export function toImageItem(image: ImageSummary, self: SelfContainers): ImageItem {
  return {
    id: image.id,
    shortId: shortImageId(image.id),
    tags: [...image.tags].sort(),
    digests: image.digests,
    createdAt: image.createdAt,
    sizeBytes: image.sizeBytes,
    dangling: image.dangling,
    containers: toUsers(image.containers),
    protection: objectProtection("image", image, self),
  };
}

export async function listImages(actor: Actor, agentId: string): Promise<{ items: ImageItem[]; nextCursor: null; totalBytes: number }> {
  assertPermission(actor, "read:docker-object");
  const { agent } = await agentFor(actor, agentId);
  const [images, self] = await Promise.all([agent.listImages(), selfContainersOf(agent)]);
  const items = images
    .map((i) => toImageItem(i, self))
    .sort((a, b) => Number(a.dangling) - Number(b.dangling) || (a.tags[0] ?? "\uffff").localeCompare(b.tags[0] ?? "\uffff") || b.createdAt.localeCompare(a.createdAt));
  return { items, nextCursor: null, totalBytes: items.reduce((n, i) => n + i.sizeBytes, 0) };
}

/**
 * Checks everything a pull needs (permission, input, agent, policy) before the first byte, so a
 * refusal is a plain JSON error; then the pull's progress as events, ending with `done` (and the
 * image as it is listed now) or `error`. Audited once it ends, cancelled pulls included.
 */
export async function startPull(actor: Actor, agentId: string, input: unknown, signal: AbortSignal): Promise<AsyncIterable<PullEvent>> {
  assertPermission(actor, "operate:docker-object");
  const { reference } = parseWith(PullImageSchema, input);
  const { agent } = await agentFor(actor, agentId);
  const change = { agentId, kind: "image" as const, action: "pull" as const, target: reference };
  await checkObjectPolicy(actor, change);
  const record = (outcome: "success" | "failure", details: Record<string, unknown>) =>
    audit({ ...auditActor(actor), action: "image.pull", outcome, targetType: "image", targetId: reference, details: { agentId, name: reference, ...details } }).catch((error) =>
      logger.error("audit failed", { error }),
    );
  return (async function* () {
    try {
      for await (const p of agent.pullImage(reference, signal)) yield { type: "progress" as const, ...p };
      if (signal.aborted) {
        await record("failure", { error: "cancelled" });
        return;
      }
      const self = await selfContainersOf(agent);
      const image = (await agent.listImages()).find((i) => i.tags.includes(reference) || i.digests.some((d) => reference.endsWith(d.slice(d.indexOf("@")))));
      await record("success", { imageId: image?.id ?? null });
      yield { type: "done" as const, reference, image: image ? toImageItem(image, self) : null };
    } catch (error) {
      const known = toAppError(error);
      if (!known) logger.error("image pull failed", { error });
      const message = known?.message ?? (error instanceof Error ? error.message : "The pull failed.");
      await record("failure", { error: message });
      yield { type: "error" as const, error: { code: known?.code ?? "pull_failed", message } };
    }
  })();
}

function findImage(images: ImageSummary[], ref: string): ImageSummary {
  if (!IMAGE_ID.test(ref)) throw new NotFoundError("No such image on this host.");
  const hex = ref.replace(/^sha256:/, "");
  const image = images.find((i) => i.id.replace(/^sha256:/, "").startsWith(hex));
  if (!image) throw new NotFoundError("No such image on this host.");
  return image;
}

/** Removes the image with all its tags. Containers using it: 409 unless `force` (stopped ones only: the engine keeps a running container's image). */
export async function removeImage(actor: Actor, agentId: string, ref: string, options: { force?: boolean } = {}): Promise<{ deleted: string[] }> {
  assertPermission(actor, "delete:docker-object");
  const { agent } = await agentFor(actor, agentId);
  const [images, self] = await Promise.all([agent.listImages(), selfContainersOf(agent)]);
  const image = findImage(images, ref);
  const change = { agentId, kind: "image" as const, action: "remove" as const, target: image.id };
  const name = image.tags[0] ?? shortImageId(image.id);
  const details = { name, tags: image.tags, force: Boolean(options.force) };
  await checkObjectPolicy(actor, change);
  const protection = objectProtection("image", image, self);
  if (protection) await refuseProtected(actor, change, protection, details);
  if (image.containers.length > 0 && !options.force) {
    throw new ConflictError(`${name} is used by ${nameList(image.containers)}. Remove those containers first, or force the removal (a running container keeps its image).`);
  }
  // Force also lets one call remove an image that several tags name: the checks above are ours.
  const deleted = await auditedChange(actor, change, details, () => agent.removeImage(image.id, { force: true }), (d) => ({ deleted: d.length }));
  return { deleted };
}

export async function pruneImages(actor: Actor, agentId: string, options: { all: boolean }): Promise<PruneOutcome> {
  assertPermission(actor, "delete:docker-object");
  const { agent } = await agentFor(actor, agentId);
  const change = { agentId, kind: "image" as const, action: "prune" as const, target: null };
  await checkObjectPolicy(actor, change);
  const self = await selfContainersOf(agent);
  return auditedChange(actor, change, { name: options.all ? "all unused images" : "dangling images", all: options.all }, () =>
    agent.pruneImages({ all: options.all, keepLabels: keepLabels(self) }),
    (r) => ({ removed: r.deleted.length, reclaimedBytes: r.reclaimedBytes }),
  );
}
