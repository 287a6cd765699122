// The built-in agent recognising the container it runs in, against the real test engine: the
// /proc files it reads are written here as a container of that engine would see them (the tests
// themselves do not run in a container), naming a real container; the agent then finds that
// container's compose project, and the domain rule refuses the whole project and nothing else.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalAgent } from "#agent/local/local-agent";
import { selfProtectionReason } from "~/server/docker/protection";
import { docker, ensureTestDocker, removeTestContainers, TEST_IMAGE, TEST_LABEL } from "../setup/docker";
import { IDLE } from "../setup/containers";

const RUN_ID = `selfid-${process.pid}-${Date.now().toString(36)}`;
let dockerHost: string;
let dir: string;

beforeAll(async () => {
  dockerHost = await ensureTestDocker();
  dir = mkdtempSync(join(tmpdir(), "infrapilot-selfid-"));
});

afterAll(async () => {
  if (dockerHost) await removeTestContainers(dockerHost, RUN_ID);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function run(name: string, project: string, service: string): Promise<string> {
  const labels = ["--label", `${TEST_LABEL}=${RUN_ID}`, "--label", `com.docker.compose.project=${project}`, "--label", `com.docker.compose.service=${service}`];
  return (await docker(dockerHost, ["run", "-d", "--name", `${RUN_ID}-${name}`, ...labels, TEST_IMAGE, ...IDLE])).trim();
}

function agentSeeing(files: { cgroup: string; mountinfo: string; hostname: string }): LocalAgent {
  const paths = { cgroup: join(dir, `${RUN_ID}-cgroup`), mountinfo: join(dir, `${RUN_ID}-mountinfo`), hostname: join(dir, `${RUN_ID}-hostname`) };
  writeFileSync(paths.cgroup, files.cgroup);
  writeFileSync(paths.mountinfo, files.mountinfo);
  writeFileSync(paths.hostname, files.hostname);
  return new LocalAgent({ dockerHost, nginxBin: null, selfFiles: paths, deploymentContainers: ["my-nginx"] });
}

describe("the agent's own deployment", () => {
  it("refuses its own container and its compose siblings (found through cgroup v2 mountinfo), not another project", async () => {
    const project = `${RUN_ID}-ip`;
    const panel = await run("panel", project, "infrapilot");
    const postgres = await run("postgres", project, "postgres");
    const other = await run("shop", `${RUN_ID}-shop`, "web");
    const agent = agentSeeing({
      cgroup: "0::/\n",
      mountinfo: `1068 1043 259:2 /var/lib/docker/containers/${panel}/hostname /etc/hostname rw,relatime - ext4 /dev/nvme0n1p2 rw\n`,
      hostname: `${panel.slice(0, 12)}\n`,
    });
    try {
      const self = await agent.selfContainers();
      expect(self).toEqual({ ids: [panel], refs: ["my-nginx"], project });
      const reason = async (id: string) => {
        const d = await agent.inspectContainer(id);
        return selfProtectionReason({ id: d.id, name: d.name, labels: d.config.labels, stack: d.stack }, self);
      };
      expect(await reason(panel)).toMatch(/InfraPilot's own container/);
      expect(await reason(postgres)).toMatch(new RegExp(`compose project \\(${project}\\)`));
      expect(await reason(other)).toBeNull();
    } finally {
      await agent.close();
    }
  });

  it("outside a container it protects nothing by itself", async () => {
    const agent = agentSeeing({ cgroup: "0::/user.slice/session-2.scope\n", mountinfo: "", hostname: "build-host\n" });
    try {
      expect(await agent.selfContainers()).toEqual({ ids: [], refs: ["my-nginx"], project: null });
    } finally {
      await agent.close();
    }
  });
});
