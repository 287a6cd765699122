// The local agent's images, volumes and networks (docs/decisions/075): engine calls through
// DockerClient, one container list for the usage of every item, DTOs from resource-mappers.
import { ResourceConflictError, ResourceNotFoundError } from "../errors";
import type { CreateNetworkOptions, ImageSummary, NetworkSummary, PruneOptions, PruneResult, PullProgress, VolumeSummary } from "../resource-types";
import type { DockerClient } from "./docker-client";
import type { RawPullLine } from "./raw-types";
import { keepLabelFilters, toImageSummaries, toNetworkSummaries, toNetworkSummary, toPruneResult, toPullProgress, toVolumeSummaries, volumeSizes } from "./resource-mappers";
import { iterateChunks, iterateJsonLines } from "./stream-iter";

export async function listImages(client: DockerClient): Promise<ImageSummary[]> {
  const [images, containers] = await Promise.all([client.listImages(), client.listContainers(true)]);
  return toImageSummaries(images, containers);
}

/**
 * `reference` is already validated by the control plane; it is split at its tag or digest here
 * because the engine pulls *every* tag of a repository when none is given.
 */
export async function* pullImage(client: DockerClient, reference: string, signal?: AbortSignal): AsyncGenerator<PullProgress> {
  const { name, tagOrDigest } = splitReference(reference);
  const stream = await client.pullImage(name, tagOrDigest, signal);
  const chunks = iterateChunks(stream, signal, (e) => client.toAgentError(e));
  for await (const raw of iterateJsonLines(chunks)) {
    if (signal?.aborted) return;
    const line = raw as RawPullLine;
    // The engine answers 200 and then reports a failed pull (unknown tag, registry down) as a line.
    if (line.error) throw new ResourceConflictError("image", reference, `Pull of ${reference} failed: ${line.errorDetail?.message ?? line.error}`);
    yield toPullProgress(line);
  }
}

export function splitReference(reference: string): { name: string; tagOrDigest: string } {
  const at = reference.indexOf("@");
  if (at >= 0) return { name: reference.slice(0, at), tagOrDigest: reference.slice(at + 1) };
  const slash = reference.lastIndexOf("/");
  const colon = reference.lastIndexOf(":");
  // A colon before the last slash is a registry port (`localhost:5000/app`), not a tag.
  if (colon > slash) return { name: reference.slice(0, colon), tagOrDigest: reference.slice(colon + 1) };
  return { name: reference, tagOrDigest: "latest" };
}

export async function removeImage(client: DockerClient, id: string, force: boolean): Promise<string[]> {
  const report = await client.removeImage(id, force);
  return report.map((r) => r.Deleted ?? r.Untagged).filter((r): r is string => Boolean(r));
}

function keepFilters(options: PruneOptions): Record<string, string[]> {
  const keep = keepLabelFilters(options.keepLabels);
  return keep.length ? { "label!": keep } : {};
}

export async function pruneImages(client: DockerClient, options: PruneOptions = {}): Promise<PruneResult> {
  // dangling=false: every image no container uses; dangling=true: only untagged ones.
  return toPruneResult(await client.pruneImages({ ...keepFilters(options), dangling: [options.all ? "false" : "true"] }));
}

export async function listVolumes(client: DockerClient, options: { sizes?: boolean; sizeTimeoutMs?: number } = {}): Promise<VolumeSummary[]> {
  const [volumes, containers, sizes] = await Promise.all([
    client.listVolumes(),
    client.listContainers(true),
    options.sizes ? volumeSizesWithin(client, options.sizeTimeoutMs ?? 2_000) : Promise.resolve(null),
  ]);
  return toVolumeSizesSorted(toVolumeSummaries(volumes, containers, sizes));
}

function toVolumeSizesSorted(volumes: VolumeSummary[]): VolumeSummary[] {
  return volumes.sort((a, b) => Number(a.anonymous) - Number(b.anonymous) || a.name.localeCompare(b.name));
}

/** Sizes only when the engine answers in time: walking large volumes can take long ("size when cheap"). */
async function volumeSizesWithin(client: DockerClient, timeoutMs: number): Promise<Map<string, number> | null> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return volumeSizes(await client.volumeDiskUsage(controller.signal));
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Removes unused volumes one by one rather than through the engine's prune: before API 1.42
 * (Debian's engine is 20.10) a prune removes named volumes too and knows no `all` switch, so
 * "anonymous only" could not be kept. A volume a container takes meanwhile is refused by the
 * engine and skipped. Reclaimed bytes are the sizes `docker system df` knew, 0 otherwise.
 */
export async function pruneVolumes(client: DockerClient, options: PruneOptions = {}): Promise<PruneResult> {
  const volumes = await listVolumes(client, { sizes: true, sizeTimeoutMs: 5_000 });
  const keep = keepLabelFilters(options.keepLabels);
  const candidates = volumes.filter((v) => v.containers.length === 0 && (options.all || v.anonymous) && !keep.some((label) => hasLabel(v.labels, label)));
  const result: PruneResult = { deleted: [], reclaimedBytes: 0 };
  for (const volume of candidates) {
    try {
      await client.removeVolume(volume.name);
    } catch (error) {
      if (error instanceof ResourceConflictError || error instanceof ResourceNotFoundError) continue;
      throw error;
    }
    result.deleted.push(volume.name);
    result.reclaimedBytes += volume.sizeBytes ?? 0;
  }
  return result;
}

/** `key` or `key=value`, as a `label=` filter reads it. */
function hasLabel(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf("=");
  if (eq < 0) return filter in labels;
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

export async function listNetworks(client: DockerClient): Promise<NetworkSummary[]> {
  const [networks, containers] = await Promise.all([client.listNetworks(), client.listContainers(true)]);
  return toNetworkSummaries(networks, containers).sort((a, b) => Number(b.builtIn) - Number(a.builtIn) || a.name.localeCompare(b.name));
}

export async function createNetwork(client: DockerClient, options: CreateNetworkOptions): Promise<NetworkSummary> {
  const ipam = options.subnet ? { IPAM: { Driver: "default", Config: [{ Subnet: options.subnet, ...(options.gateway ? { Gateway: options.gateway } : {}) }] } } : {};
  const id = await client.createNetwork({
    Name: options.name,
    Driver: options.driver,
    Internal: options.internal ?? false,
    Attachable: options.attachable ?? false,
    Labels: options.labels ?? {},
    ...ipam,
  });
  return toNetworkSummary(await client.inspectNetwork(id));
}
