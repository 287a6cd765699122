// How InfraPilot recognises its own container from /proc/self/cgroup, /proc/self/mountinfo and
// the hostname (agent/self-container.ts), and which containers and terminals it then refuses
// (app/server/docker/protection.ts). The samples are real files of the runtimes named.
import { describe, expect, test } from "vitest";
import { matchesSelf, selfContainerIds } from "#agent/self-container";
import { mountsDockerSocket, NO_SELF, PROTECTED_LABEL, selfProtectionReason, terminalRestriction } from "~/server/docker/protection";

const ID = "3f1c8d7b2a4e6f90c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4";
const OTHER = "aa".repeat(32);

const DOCKER_CGROUP_V1 = `12:hugetlb:/docker/${ID}
11:memory:/docker/${ID}
10:cpu,cpuacct:/docker/${ID}
1:name=systemd:/docker/${ID}
0::/system.slice/containerd.service
`;
const SYSTEMD_DRIVER_CGROUP_V1 = `9:pids:/system.slice/docker-${ID}.scope
1:name=systemd:/system.slice/docker-${ID}.scope
`;
const CGROUP_V2_HOST_NS = `0::/system.slice/docker-${ID}.scope\n`;
const CGROUP_V2_PRIVATE_NS = "0::/\n";
const PODMAN_CGROUP_V2 = `0::/machine.slice/libpod-${ID}.scope/container\n`;
const CONTAINERD_K8S_CGROUP_V1 = `11:memory:/kubepods/burstable/pod5c6f2d1e-0a1b-4c2d-9e3f-123456789abc/${ID}
1:name=systemd:/kubepods/burstable/pod5c6f2d1e-0a1b-4c2d-9e3f-123456789abc/${ID}
`;
const CRI_CONTAINERD_CGROUP_V2 = `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-${ID}.scope\n`;
const HOST_CGROUP = `4:memory:/process_api/efd3057330dd46453676501fe580942e
0::/user.slice/user-1000.slice/session-2.scope
`;

const DOCKER_MOUNTINFO = `1043 961 0:92 / / rw,relatime master:473 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X:/var/lib/docker/overlay2/l/Y,upperdir=/var/lib/docker/overlay2/abc/diff,workdir=/var/lib/docker/overlay2/abc/work
1044 1043 0:95 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1067 1043 259:2 /var/lib/docker/containers/${ID}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/nvme0n1p2 rw
1068 1043 259:2 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw,relatime - ext4 /dev/nvme0n1p2 rw
1069 1043 259:2 /var/lib/docker/containers/${ID}/hosts /etc/hosts rw,relatime - ext4 /dev/nvme0n1p2 rw
1070 1043 259:2 /var/lib/docker/volumes/data/_data /data rw,relatime - ext4 /dev/nvme0n1p2 rw
`;
// Docker Desktop / a data-root elsewhere: the same layout under another prefix.
const DATA_ROOT_MOUNTINFO = `612 600 8:1 /docker-data/containers/${ID}/hostname /etc/hostname rw,relatime - ext4 /dev/sda1 rw\n`;
const PODMAN_MOUNTINFO = `702 690 0:44 /containers/storage/overlay-containers/${ID}/userdata/hostname /etc/hostname rw,nosuid,nodev,relatime - tmpfs tmpfs rw
703 690 0:44 /containers/storage/overlay-containers/${ID}/userdata/resolv.conf /etc/resolv.conf rw,nosuid,nodev,relatime - tmpfs tmpfs rw
`;
// A bind of another container's directory elsewhere is not ours.
const OTHER_BIND_MOUNTINFO = `1070 1043 259:2 /var/lib/docker/containers/${OTHER}/hostname /mnt/x rw,relatime - ext4 /dev/nvme0n1p2 rw\n`;

describe("which container InfraPilot runs in", () => {
  test.each([
    ["docker, cgroup v1 (cgroupfs driver)", { cgroup: DOCKER_CGROUP_V1 }],
    ["docker, cgroup v1 (systemd driver)", { cgroup: SYSTEMD_DRIVER_CGROUP_V1 }],
    ["docker, cgroup v2 with the host's cgroup namespace", { cgroup: CGROUP_V2_HOST_NS }],
    ["docker, cgroup v2 with a private namespace: mountinfo", { cgroup: CGROUP_V2_PRIVATE_NS, mountinfo: DOCKER_MOUNTINFO }],
    ["docker with another data-root: mountinfo", { cgroup: CGROUP_V2_PRIVATE_NS, mountinfo: DATA_ROOT_MOUNTINFO }],
    ["podman, cgroup v2", { cgroup: PODMAN_CGROUP_V2 }],
    ["podman, private namespace: mountinfo", { cgroup: CGROUP_V2_PRIVATE_NS, mountinfo: PODMAN_MOUNTINFO }],
    ["containerd under kubernetes, cgroup v1", { cgroup: CONTAINERD_K8S_CGROUP_V1 }],
    ["cri-containerd, cgroup v2", { cgroup: CRI_CONTAINERD_CGROUP_V2 }],
  ])("%s", (_, files) => {
    expect(selfContainerIds(files)).toEqual([ID]);
  });

  test("the hostname is a last resort, and only when it looks like Docker's 12-hex default", () => {
    expect(selfContainerIds({ cgroup: CGROUP_V2_PRIVATE_NS, mountinfo: "", hostname: `${ID.slice(0, 12)}\n` })).toEqual([ID.slice(0, 12)]);
    expect(selfContainerIds({ cgroup: CGROUP_V2_PRIVATE_NS, hostname: "web-1\n" })).toEqual([]);
    expect(selfContainerIds({ cgroup: DOCKER_CGROUP_V1, hostname: "abcdefabcdef" })).toEqual([ID]);
  });

  test("outside a container, or for another container's files, nothing is found", () => {
    expect(selfContainerIds({ cgroup: HOST_CGROUP, mountinfo: OTHER_BIND_MOUNTINFO, hostname: "build-host" })).toEqual([]);
    expect(selfContainerIds({})).toEqual([]);
  });

  test("a 12-hex candidate matches as a prefix, shorter ones never", () => {
    expect(matchesSelf(ID, [ID])).toBe(true);
    expect(matchesSelf(ID, [ID.slice(0, 12)])).toBe(true);
    expect(matchesSelf(ID, [ID.slice(0, 4)])).toBe(false);
    expect(matchesSelf(OTHER, [ID])).toBe(false);
  });
});

describe("which containers are refused", () => {
  const c = (over: Partial<{ id: string; name: string; labels: Record<string, string>; stack: string | null }> = {}) => ({ id: OTHER, name: "web", labels: {}, stack: null, ...over });

  test("its own container, its nginx container, its compose project and anything labelled", () => {
    expect(selfProtectionReason(c({ id: ID }), { ...NO_SELF, ids: [ID] })).toMatch(/InfraPilot's own container/);
    expect(selfProtectionReason(c({ name: "infrapilot-nginx" }), { ...NO_SELF, refs: ["infrapilot-nginx"] })).toMatch(/NGINX_CONTAINER/);
    expect(selfProtectionReason(c({ id: ID }), { ...NO_SELF, refs: [ID.slice(0, 12)] })).toMatch(/NGINX_CONTAINER/);
    expect(selfProtectionReason(c({ stack: "infrapilot" }), { ...NO_SELF, project: "infrapilot" })).toMatch(/compose project \(infrapilot\)/);
    expect(selfProtectionReason(c({ labels: { [PROTECTED_LABEL]: "true" } }), NO_SELF)).toMatch(/label io\.infrapilot\.protected=true/);
  });

  test("other containers are not, even with a similar name or the label set to something else", () => {
    expect(selfProtectionReason(c(), { ids: [ID], refs: ["infrapilot-nginx"], project: "infrapilot" })).toBeNull();
    expect(selfProtectionReason(c({ name: "infrapilot-nginx-2", stack: "shop" }), { ids: [ID], refs: ["infrapilot-nginx"], project: "infrapilot" })).toBeNull();
    expect(selfProtectionReason(c({ labels: { [PROTECTED_LABEL]: "false" } }), NO_SELF)).toBeNull();
    // A short ref is a name, never an id prefix.
    expect(selfProtectionReason(c({ id: ID }), { ...NO_SELF, refs: [ID.slice(0, 6)] })).toBeNull();
  });
});

describe("which terminals are for super admins", () => {
  const m = (source: string, destination: string) => ({ source, destination });
  test.each([
    ["/var/run/docker.sock", "/var/run/docker.sock"],
    ["/run/docker.sock", "/run/docker.sock"],
    ["/tmp/dummy", "/var/run/docker.sock"],
    ["/home/u/.docker/desktop/docker.sock", "/sock/docker.sock"],
    ["/run/user/1000/docker.sock", "/engine"],
  ])("a bind of %s at %s", (source, destination) => {
    expect(mountsDockerSocket(m(source, destination))).toBe(true);
    expect(terminalRestriction({ privileged: false, mounts: [m(source, destination)] })).toMatch(/Docker socket/);
  });

  test("privileged containers too; ordinary mounts are not", () => {
    expect(terminalRestriction({ privileged: true, mounts: [] })).toMatch(/privileged/);
    expect(terminalRestriction({ privileged: false, mounts: [m("/srv/data", "/data"), m("/var/run/docker.sock.d", "/x")] })).toBeNull();
  });
});
