// Images, volumes and networks of an agent's engine ("Docker objects" besides containers), as the
// Agent interface hands them out: plain JSON, ISO times, no dockerode types — a RemoteAgent sends
// the same shapes over its RPC. Usage (which containers use what) is part of each item because
// the agent learns it from one container list it already makes; the control plane decides what
// the usage forbids (docs/decisions/075).
import type { ContainerState } from "./types";

/** A container that uses an image, a volume or a network. */
export interface ContainerUse {
  id: string;
  name: string;
  state: ContainerState;
  /** Compose project, for self-protection (the panel's own project). */
  stack: string | null;
  /** Its labels, for self-protection (`io.infrapilot.protected`); not for display. */
  labels: Record<string, string>;
}

export interface ImageSummary {
  /** `sha256:<64 hex>`. */
  id: string;
  /** `repo:tag` names; empty for a dangling image. */
  tags: string[];
  /** `repo@sha256:…` of a pulled image. */
  digests: string[];
  createdAt: string;
  sizeBytes: number;
  /** No tag and no container: what "prune dangling" removes. */
  dangling: boolean;
  labels: Record<string, string>;
  /** Containers (running or not) created from this image. */
  containers: ContainerUse[];
}

export interface VolumeSummary {
  name: string;
  driver: string;
  mountpoint: string;
  scope: string;
  createdAt: string | null;
  labels: Record<string, string>;
  /** null when the size was not asked for or not known cheaply. */
  sizeBytes: number | null;
  /** A volume Docker named itself (64 hex, no `com.docker.volume.anonymous` needed to tell). */
  anonymous: boolean;
  containers: ContainerUse[];
}

export interface NetworkContainer extends ContainerUse {
  ipv4Address: string | null;
}

export interface NetworkSummary {
  id: string;
  name: string;
  driver: string;
  scope: string;
  internal: boolean;
  attachable: boolean;
  /** `bridge`, `host`, `none` (the engine's own): never removable. */
  builtIn: boolean;
  createdAt: string | null;
  labels: Record<string, string>;
  subnets: { subnet: string; gateway: string | null }[];
  containers: NetworkContainer[];
}

/** One line of an image pull's progress, as the engine reports it (layer by layer). */
export interface PullProgress {
  /** "Pulling fs layer", "Downloading", "Pull complete", "Digest: sha256:…", "Status: Downloaded newer image for …". */
  status: string;
  /** Layer id the line is about, when it is about one. */
  layer: string | null;
  current: number | null;
  total: number | null;
}

export interface PruneOptions {
  /** Images: every unused image, not only dangling ones. Volumes: named volumes too, not only anonymous ones. */
  all?: boolean;
  /** Labels (`key` or `key=value`) whose objects are never pruned (the panel's own deployment). */
  keepLabels?: string[];
}

export interface PruneResult {
  /** Ids or names of what was removed (images: untagged references and deleted layers). */
  deleted: string[];
  reclaimedBytes: number;
}

export interface CreateNetworkOptions {
  name: string;
  driver: "bridge";
  internal?: boolean;
  attachable?: boolean;
  /** IPv4 CIDR; the engine picks one when omitted. */
  subnet?: string;
  gateway?: string;
  labels?: Record<string, string>;
}

export interface RemoveImageOptions {
  /** Untag and remove even when stopped containers use it or several tags name it. */
  force?: boolean;
}
