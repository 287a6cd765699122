// Pure: which images, volumes and networks InfraPilot never removes (docs/decisions/075), the
// counterpart of protection.ts for containers. Whatever a container of the panel's own deployment
// uses (its image, its data volume, its network) goes with the panel; so do objects labelled as
// the deployment's (io.infrapilot.protected=true) or carrying its compose project.
import type { ContainerUse } from "#agent/resource-types";
import type { SelfContainers } from "#agent/types";
import type { ObjectUser } from "~/docker-objects";
import { PROTECTED_LABEL, selfProtectionReason } from "./protection";

export const COMPOSE_PROJECT = "com.docker.compose.project";

export type ObjectKind = "image" | "volume" | "network";

export function objectProtection(kind: ObjectKind, object: { labels: Record<string, string>; containers: ContainerUse[] }, self: SelfContainers): string | null {
  const user = object.containers.find((c) => selfProtectionReason(c, self) !== null);
  if (user) return `${user.name}, part of InfraPilot's own deployment, uses this ${kind}: InfraPilot does not remove it.`;
  if (object.labels[PROTECTED_LABEL]?.trim().toLowerCase() === "true") {
    return `This ${kind} is part of InfraPilot's own deployment (label ${PROTECTED_LABEL}=true): InfraPilot does not remove it.`;
  }
  if (self.project !== null && object.labels[COMPOSE_PROJECT] === self.project) {
    return `This ${kind} belongs to InfraPilot's own compose project (${self.project}): InfraPilot does not remove it.`;
  }
  return null;
}

/** Labels whose objects a prune must skip, as the engine's `label!=` filters take them. */
export function keepLabels(self: SelfContainers): string[] {
  return [`${PROTECTED_LABEL}=true`, ...(self.project !== null ? [`${COMPOSE_PROJECT}=${self.project}`] : [])];
}

export function toUsers(containers: ContainerUse[]): ObjectUser[] {
  return containers.map((c) => ({ id: c.id, name: c.name, state: c.state })).sort((a, b) => a.name.localeCompare(b.name));
}

/** "web, db and 3 more" for refusals. */
export function nameList(users: { name: string }[], max = 3): string {
  const names = users.map((u) => u.name);
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}
