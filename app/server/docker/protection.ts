// Pure: which containers InfraPilot refuses to act on, and which terminals only a super admin may
// open (docs/decisions/050).
//
// A shell in InfraPilot's own container is a shell with the Docker socket, DATA_DIR, the encryption
// key and the database: root on the host. Stopping it (or its nginx, or its database) takes the
// panel down with no way back from the panel. So its own deployment is recognised two ways, either
// being enough: by what the agent sees from inside (its container id, the compose project of that
// container, NGINX_CONTAINER), and by the label docker-compose.yml puts on every service, which also
// covers deployments where the id cannot be seen (another runtime, a remote engine).
import type { MountInfo, SelfContainers } from "#agent/types";
import { matchesSelf } from "#agent/self-container";

/** Set to "true" on every service of InfraPilot's own deployment (docker-compose.yml). */
export const PROTECTED_LABEL = "io.infrapilot.protected";

export interface ProtectionSubject {
  id: string;
  name: string;
  labels: Record<string, string>;
  stack: string | null;
}

export const NO_SELF: SelfContainers = { ids: [], refs: [], project: null };

const CONSEQUENCE = "InfraPilot does not open terminals in it, stop, restart or delete it.";

/** Why `c` is part of InfraPilot's own deployment (a sentence for the UI and the API), or null. */
export function selfProtectionReason(c: ProtectionSubject, self: SelfContainers): string | null {
  if (matchesSelf(c.id, self.ids)) {
    return `This is InfraPilot's own container: it holds the Docker socket, the data directory and the encryption key. ${CONSEQUENCE}`;
  }
  if (self.refs.some((ref) => ref === c.name || (/^[0-9a-f]{12,64}$/.test(ref) && c.id.startsWith(ref)))) {
    return `This is InfraPilot's nginx container (NGINX_CONTAINER): every proxied site depends on it. ${CONSEQUENCE}`;
  }
  if (self.project !== null && c.stack === self.project) {
    return `This container belongs to InfraPilot's own compose project (${self.project}). ${CONSEQUENCE}`;
  }
  if (c.labels[PROTECTED_LABEL]?.trim().toLowerCase() === "true") {
    return `This container is part of InfraPilot's own deployment (label ${PROTECTED_LABEL}=true). ${CONSEQUENCE}`;
  }
  return null;
}

const DOCKER_SOCKET_PATHS = new Set(["/var/run/docker.sock", "/run/docker.sock"]);

/** A mount that hands the container the Docker engine (and so the host). */
export function mountsDockerSocket(mount: Pick<MountInfo, "source" | "destination">): boolean {
  const paths = [mount.source, mount.destination].map((p) => p.replace(/\/+$/, ""));
  return paths.some((p) => DOCKER_SOCKET_PATHS.has(p) || p.endsWith("docker.sock"));
}

/**
 * Why a terminal in this container is for super admins only (it can take over the host), or null.
 * A shell next to the Docker socket or in a privileged container is a shell on the host.
 */
export function terminalRestriction(c: { privileged: boolean; mounts: Pick<MountInfo, "source" | "destination">[] }): string | null {
  const socket = c.mounts.find(mountsDockerSocket);
  if (socket) return `This container mounts the Docker socket (${socket.destination}): a shell in it controls every container on the host, so only a super admin may open one.`;
  if (c.privileged) return "This container runs privileged: a shell in it has the host's devices and capabilities, so only a super admin may open one.";
  return null;
}
