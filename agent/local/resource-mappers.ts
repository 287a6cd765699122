// Engine JSON of images, volumes and networks → the agent's DTOs, with the containers that use
// each. Pure: the local agent makes one container list and hands it in.
import type { ContainerUse, ImageSummary, NetworkSummary, PullProgress, PruneResult, VolumeSummary } from "../resource-types";
import { COMPOSE_PROJECT_LABEL, toContainerState } from "./mappers";
import type { RawContainerSummary, RawImage, RawNetwork, RawPruneReport, RawPullLine, RawVolume } from "./raw-types";

export const BUILT_IN_NETWORKS = new Set(["bridge", "host", "none"]);

function toUse(c: RawContainerSummary): ContainerUse {
  const labels = c.Labels ?? {};
  return {
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ""),
    state: toContainerState(c.State),
    stack: labels[COMPOSE_PROJECT_LABEL] ?? null,
    labels,
  };
}

function isoFromUnix(seconds: number | undefined): string {
  return new Date((seconds ?? 0) * 1000).toISOString();
}

function isoOrNull(value: string | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** `<none>:<none>` and `<none>@<none>` are how old engines say "no tag". */
function real(names: string[] | null | undefined): string[] {
  return (names ?? []).filter((n) => !n.startsWith("<none>"));
}

export function toImageSummaries(images: RawImage[], containers: RawContainerSummary[]): ImageSummary[] {
  const users = new Map<string, ContainerUse[]>();
  for (const c of containers) {
    if (!c.ImageID) continue;
    const list = users.get(c.ImageID) ?? [];
    list.push(toUse(c));
    users.set(c.ImageID, list);
  }
  return images.map((raw) => {
    const tags = real(raw.RepoTags);
    const using = users.get(raw.Id) ?? [];
    return {
      id: raw.Id,
      tags,
      digests: real(raw.RepoDigests),
      createdAt: isoFromUnix(raw.Created),
      sizeBytes: raw.Size ?? 0,
      dangling: tags.length === 0 && using.length === 0,
      labels: raw.Labels ?? {},
      containers: using,
    };
  });
}

export function toVolumeSummaries(volumes: RawVolume[], containers: RawContainerSummary[], sizes: Map<string, number> | null): VolumeSummary[] {
  const users = new Map<string, ContainerUse[]>();
  for (const c of containers) {
    for (const mount of c.Mounts ?? []) {
      if (mount.Type !== "volume" || !mount.Name) continue;
      const list = users.get(mount.Name) ?? [];
      if (!list.some((u) => u.id === c.Id)) list.push(toUse(c));
      users.set(mount.Name, list);
    }
  }
  return volumes.map((raw) => {
    const size = sizes?.get(raw.Name);
    return {
      name: raw.Name,
      driver: raw.Driver ?? "local",
      mountpoint: raw.Mountpoint ?? "",
      scope: raw.Scope ?? "local",
      createdAt: isoOrNull(raw.CreatedAt),
      labels: raw.Labels ?? {},
      sizeBytes: size !== undefined && size >= 0 ? size : null,
      anonymous: /^[0-9a-f]{64}$/.test(raw.Name) || (raw.Labels ?? {})["com.docker.volume.anonymous"] !== undefined,
      containers: users.get(raw.Name) ?? [],
    };
  });
}

/** Sizes from `GET /system/df?type=volume` (UsageData.Size; -1 = unknown). */
export function volumeSizes(volumes: RawVolume[] | null | undefined): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const v of volumes ?? []) {
    const size = v.UsageData?.Size;
    if (typeof size === "number" && size >= 0) sizes.set(v.Name, size);
  }
  return sizes;
}

export function toNetworkSummaries(networks: RawNetwork[], containers: RawContainerSummary[]): NetworkSummary[] {
  const users = new Map<string, NetworkSummary["containers"]>();
  for (const c of containers) {
    for (const attachment of Object.values(c.NetworkSettings?.Networks ?? {})) {
      if (!attachment.NetworkID) continue;
      const list = users.get(attachment.NetworkID) ?? [];
      list.push({ ...toUse(c), ipv4Address: attachment.IPAddress || null });
      users.set(attachment.NetworkID, list);
    }
  }
  return networks.map((raw) => toNetworkSummary(raw, users.get(raw.Id) ?? []));
}

export function toNetworkSummary(raw: RawNetwork, containers: NetworkSummary["containers"] = []): NetworkSummary {
  const name = raw.Name ?? raw.Id.slice(0, 12);
  const options = raw.Options ?? {};
  return {
    id: raw.Id,
    name,
    driver: raw.Driver ?? "",
    scope: raw.Scope ?? "local",
    internal: raw.Internal ?? false,
    attachable: raw.Attachable ?? false,
    builtIn: BUILT_IN_NETWORKS.has(name) || options["com.docker.network.bridge.default_bridge"] === "true",
    createdAt: isoOrNull(raw.Created),
    labels: raw.Labels ?? {},
    subnets: (raw.IPAM?.Config ?? []).filter((c) => c.Subnet).map((c) => ({ subnet: c.Subnet!, gateway: c.Gateway || null })),
    containers,
  };
}

export function toPruneResult(report: RawPruneReport): PruneResult {
  const deleted = [
    ...(report.ImagesDeleted ?? []).map((d) => d.Deleted ?? d.Untagged).filter((d): d is string => Boolean(d)),
    ...(report.VolumesDeleted ?? []),
    ...(report.NetworksDeleted ?? []),
  ];
  return { deleted, reclaimedBytes: report.SpaceReclaimed ?? 0 };
}

export function toPullProgress(line: RawPullLine): PullProgress {
  return {
    status: line.status ?? "",
    layer: line.id ?? null,
    current: line.progressDetail?.current ?? null,
    total: line.progressDetail?.total ?? null,
  };
}

/** Prune filters that keep labelled objects: `label!=key` or `label!=key=value`. */
export function keepLabelFilters(keepLabels: string[] | undefined): string[] {
  return (keepLabels ?? []).filter(Boolean);
}
