// Shared by server and browser: what the Images, Volumes and Networks pages and the API answer
// (docs/decisions/075). Pure types and display helpers only.
import type { ContainerState } from "#agent/types";

/** A container that uses an image, volume or network, as shown. */
export interface ObjectUser {
  id: string;
  name: string;
  state: ContainerState;
}

export interface ImageItem {
  id: string;
  /** The id without `sha256:`, first 12 hex. */
  shortId: string;
  tags: string[];
  digests: string[];
  createdAt: string;
  sizeBytes: number;
  dangling: boolean;
  containers: ObjectUser[];
  /** Why InfraPilot never removes it (its own deployment uses it), or null. */
  protection: string | null;
}

export interface VolumeItem {
  name: string;
  driver: string;
  mountpoint: string;
  createdAt: string | null;
  sizeBytes: number | null;
  anonymous: boolean;
  stack: string | null;
  containers: ObjectUser[];
  protection: string | null;
}

export interface NetworkItem {
  id: string;
  shortId: string;
  name: string;
  driver: string;
  scope: string;
  internal: boolean;
  attachable: boolean;
  builtIn: boolean;
  createdAt: string | null;
  subnets: { subnet: string; gateway: string | null }[];
  stack: string | null;
  containers: (ObjectUser & { ipv4Address: string | null })[];
  protection: string | null;
}

export interface PruneOutcome {
  deleted: string[];
  reclaimedBytes: number;
}

/** One NDJSON line of `POST …/images/pull`. */
export type PullEvent =
  | { type: "progress"; status: string; layer: string | null; current: number | null; total: number | null }
  | { type: "done"; reference: string; image: ImageItem | null }
  | { type: "error"; error: { code: string; message: string } };

export function shortImageId(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

/** Pull progress folded per layer: what the page shows as "3 of 5 layers, 12.4 of 30.1 MiB". */
export function summarizePull(events: PullEvent[]): { layers: number; layersDone: number; current: number; total: number; last: string } {
  const layers = new Map<string, { current: number; total: number; done: boolean }>();
  let last = "";
  for (const e of events) {
    if (e.type !== "progress") continue;
    last = e.layer ? `${e.layer}: ${e.status}` : e.status;
    if (!e.layer || /^(Pulling from|Digest|Status)/.test(e.status)) continue;
    const layer = layers.get(e.layer) ?? { current: 0, total: 0, done: false };
    if (e.status === "Downloading" && e.total) {
      layer.current = e.current ?? layer.current;
      layer.total = e.total;
    }
    if (/^(Pull complete|Already exists|Download complete)$/.test(e.status)) {
      layer.done = e.status !== "Download complete" || layer.done;
      if (layer.total) layer.current = layer.total;
    }
    layers.set(e.layer, layer);
  }
  let current = 0;
  let total = 0;
  let layersDone = 0;
  for (const l of layers.values()) {
    current += l.current;
    total += l.total;
    if (l.done) layersDone++;
  }
  return { layers: layers.size, layersDone, current, total, last };
}
