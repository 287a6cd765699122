// Pure: which container this process runs in, from the text of /proc/self/cgroup,
// /proc/self/mountinfo and /etc/hostname. The panel's own container holds the Docker socket, the
// data directory and the encryption key, so it must never be a target of its own terminal or of
// stop/restart/delete (docs/decisions/050). No engine call is needed to know it: the runtime leaves
// the container id in these files.
//
// - cgroup v1, and v2 with the host's cgroup namespace: the id is in the path
//   (`/docker/<id>`, `/system.slice/docker-<id>.scope`, `libpod-<id>.scope`,
//   `cri-containerd-<id>.scope`, `crio-<id>.scope`, `/kubepods/…/<id>`).
// - cgroup v2 with a private cgroup namespace (Docker's default since 20.10) shows only `0::/`;
//   then the bind mounts of /etc/hostname, /etc/hosts and /etc/resolv.conf in mountinfo name the
//   runtime's per-container directory (`/var/lib/docker/containers/<id>/hostname`,
//   `…/overlay-containers/<id>/userdata/hostname` for podman).
// - Docker's default hostname is the first 12 characters of the id: a last resort, used only when
//   neither file names an id.

export interface SelfContainerFiles {
  cgroup?: string | null;
  mountinfo?: string | null;
  hostname?: string | null;
}

const ID = "[0-9a-f]{64}";
const CGROUP_ID = new RegExp(`(?:^|[/-])(${ID})(?:\\.scope)?(?=$|/)`);
const RUNTIME_DIR_ID = new RegExp(`/(?:containers|overlay-containers|sandboxes|io\\.containerd\\.runtime\\.v2\\.task/[^/]+)/(${ID})(?:/|$)`);
const ETC_FILES = new Set(["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"]);

/**
 * Candidate ids of the container this process runs in: full 64-hex ids, or a 12-hex prefix
 * (hostname fallback). Empty when it does not run in a container (or the runtime hides it).
 */
export function selfContainerIds(files: SelfContainerFiles): string[] {
  const ids = new Set<string>();
  for (const line of (files.cgroup ?? "").split("\n")) {
    // `hierarchy-id:controllers:path`; the path may itself contain colons.
    const path = line.split(":").slice(2).join(":").trim();
    const match = CGROUP_ID.exec(path);
    if (match) ids.add(match[1]);
  }
  for (const line of (files.mountinfo ?? "").split("\n")) {
    // `id parent major:minor root mountpoint options … - fstype source superopts`
    const fields = line.split(" ");
    if (fields.length < 5 || !ETC_FILES.has(unescapeMount(fields[4]))) continue;
    const match = RUNTIME_DIR_ID.exec(unescapeMount(fields[3]));
    if (match) ids.add(match[1]);
  }
  if (ids.size > 0) return [...ids];
  const hostname = (files.hostname ?? "").trim();
  return /^[0-9a-f]{12}$/.test(hostname) ? [hostname] : [];
}

/** Whether a full container id is one of the candidates (a 12-hex candidate matches as a prefix). */
export function matchesSelf(containerId: string, candidates: readonly string[]): boolean {
  return candidates.some((candidate) => candidate.length >= 12 && containerId.startsWith(candidate));
}

// mountinfo escapes space, tab, newline and backslash as octal.
function unescapeMount(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
