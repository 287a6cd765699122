// GET /install.sh, the agent installer, run as a user runs it (`curl … | sh -s -- --token=…`: the
// script on stdin) by dash, busybox sh and bash in POSIX mode, against the real server and the
// private test dockerd. What is NOT tested here: the real agent image (images cannot be pulled or
// built in this sandbox). The "runs" test starts a stand-in image (busybox, `sleep`) through the
// installer and checks the container Docker made — env, mounts, group, network, restart policy,
// labels — which is everything the installer decides; the agent process itself is tested in
// remote-agents.test.ts and e2e/agents.test.ts.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { docker, TEST_IMAGE } from "../setup/docker";
import { startServer, type TestServer } from "../setup/server";

const RUN_ID = `install-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
const socketPath = dockerHost.replace(/^unix:\/\//, "");
const SHELLS: [string, string[]][] = [
  ["dash", ["/usr/bin/dash"]],
  ["busybox sh", ["/usr/bin/busybox", "sh"]],
  ["bash --posix", ["/bin/bash", "--posix"]],
];
const STUB = `infrapilot-test/agent-stub:${RUN_ID}`;
const BROKEN = `infrapilot-test/agent-broken:${RUN_ID}`;
const TOKEN = "ipe_Abc-def_0123456789";
let server: TestServer;
let script: string;
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "infrapilot-install-"));
  server = await startServer({ env: { EDITION: "saas", DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
  const res = await fetch(`${server.url}/install.sh`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/x-shellscript/);
  script = await res.text();
  // Stand-in images: one that keeps running (the installer's happy path), one that cannot start.
  for (const [image, cmd] of [[STUB, '["sleep","3600"]'], [BROKEN, '["/no/such/program"]']] as const) {
    const tmp = `${RUN_ID}-${image.includes("broken") ? "b" : "s"}`;
    await docker(dockerHost, ["create", "--name", tmp, TEST_IMAGE, "true"]);
    await docker(dockerHost, ["commit", "--change", `CMD ${cmd}`, tmp, image]);
    await docker(dockerHost, ["rm", tmp]);
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  for (const name of [`${RUN_ID}-agent`, `${RUN_ID}-broken`, "infrapilot-agent-unused"]) await docker(dockerHost, ["rm", "-f", name]).catch(() => {});
  await docker(dockerHost, ["volume", "rm", "-f", `${RUN_ID}-vol`, `${RUN_ID}-vol2`]).catch(() => {});
  await docker(dockerHost, ["rmi", "-f", STUB, BROKEN]).catch(() => {});
  rmSync(scratch, { recursive: true, force: true });
});

/** `… | sh -s -- args`, in an empty working directory and home, with the given PATH and env. */
function runInstaller(shell: string[], args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; dir: string }> {
  const dir = mkdtempSync(join(scratch, "run-"));
  return new Promise((resolve, reject) => {
    const child = spawn(shell[0]!, [...shell.slice(1), "-s", "--", ...args], { cwd: dir, env: { HOME: dir, ...env } as unknown as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, dir }));
    child.stdin.end(script);
  });
}

async function containerNamed(name: string): Promise<string | null> {
  const out = (await docker(dockerHost, ["ps", "-a", "--filter", `name=^/${name}$`, "--format", "{{.ID}}"])).trim();
  return out || null;
}

test("the served script names this control plane as its server and parses in dash, busybox sh and bash --posix", async () => {
  expect(script.startsWith("#!/bin/sh\n")).toBe(true);
  expect(script).toContain(`SERVER_URL_DEFAULT='${server.url}'`);
  const file = join(scratch, "install.sh");
  writeFileSync(file, script);
  for (const [name, shell] of SHELLS) {
    const check = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn(shell[0]!, [...shell.slice(1), "-n", file], { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr.on("data", (d) => (err += d));
      child.on("close", (code) => resolve({ code, err }));
    });
    expect(check, name).toEqual({ code: 0, err: "" });
  }
});

describe.each(SHELLS)("under %s", (_name, shell) => {
  test("on a host without Docker it says so, exits non-zero and changes nothing", async () => {
    const emptyBin = join(scratch, "empty-bin");
    mkdirSync(emptyBin, { recursive: true });
    const run = await runInstaller(shell, [`--token=${TOKEN}`, `--container=infrapilot-agent-unused`], { PATH: emptyBin });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Docker is not installed on this host/);
    expect(run.stderr).toMatch(/Nothing was changed on this host/);
    expect(run.stdout).toBe("");
    expect(readdirSync(run.dir)).toEqual([]);
    expect(readdirSync(emptyBin)).toEqual([]);
  });

  test("with Docker whose engine does not answer it says so and exits non-zero", async () => {
    const run = await runInstaller(shell, [`--token=${TOKEN}`], { PATH: process.env.PATH!, DOCKER_HOST: `unix://${scratch}/no-engine.sock` });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Docker is installed but its engine does not answer/);
    expect(readdirSync(run.dir)).toEqual([]);
  });

  test("arguments that are not what they claim are refused before Docker is asked", async () => {
    const env = { PATH: process.env.PATH!, DOCKER_HOST: dockerHost };
    const cases: [string[], RegExp][] = [
      [[], /give the enrollment token/],
      [["--token=ipe_x;touch pwned"], /not an enrollment token/],
      [["--token=not-a-token"], /not an enrollment token/],
      [[`--token=${TOKEN}`, "--server=javascript:alert(1)"], /not an http\(s\) URL/],
      [[`--token=${TOKEN}`, "--server=http://a.test/$(touch pwned)"], /characters a URL here cannot have/],
      [[`--token=${TOKEN}`, "--name=$(touch pwned)"], /--name: use letters/],
      [[`--token=${TOKEN}`, "--image=--privileged"], /not an image reference/],
      [[`--token=${TOKEN}`, "--http-port=99999999999999999999"], /ports are numbers/],
      [[`--token=${TOKEN}`, "--frobnicate"], /unknown option --frobnicate/],
    ];
    for (const [args, message] of cases) {
      const run = await runInstaller(shell, args, env);
      expect({ args, code: run.code }).toEqual({ args, code: 1 });
      expect(run.stderr, args.join(" ")).toMatch(message);
      expect(readdirSync(run.dir), args.join(" ")).toEqual([]);
    }
  });
});

describe("against the test engine", () => {
  const container = `${RUN_ID}-agent`;
  const volume = `${RUN_ID}-vol`;

  test("it starts the agent container with what the agent needs: server, token, socket and its group, data volume, host network, restart policy, protection label", async () => {
    const run = await runInstaller(
      ["/usr/bin/dash"],
      [`--token=${TOKEN}`, `--image=${STUB}`, `--container=${container}`, `--volume=${volume}`, "--name=node 1", "--http-port=18080", "--https-port=18443"],
      { PATH: process.env.PATH!, DOCKER_HOST: dockerHost },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`The InfraPilot agent is running: container ${container}`));
    const info = JSON.parse(await docker(dockerHost, ["inspect", container]))[0] as {
      Config: { Env: string[]; Image: string; Labels: Record<string, string> };
      HostConfig: { NetworkMode: string; RestartPolicy: { Name: string }; GroupAdd: string[]; Binds: string[] };
      State: { Running: boolean };
    };
    expect(info.State.Running).toBe(true);
    expect(info.Config.Image).toBe(STUB);
    expect(info.Config.Env).toEqual(
      expect.arrayContaining([
        `AGENT_SERVER_URL=${server.url}`,
        `AGENT_TOKEN=${TOKEN}`,
        "AGENT_DATA_DIR=/data",
        "AGENT_NAME=node 1",
        "DOCKER_HOST=unix:///var/run/docker.sock",
        "NGINX_MODE=local",
        "NGINX_HTTP_PORT=18080",
        "NGINX_HTTPS_PORT=18443",
      ]),
    );
    expect(info.HostConfig.NetworkMode).toBe("host");
    expect(info.HostConfig.RestartPolicy.Name).toBe("unless-stopped");
    expect(info.HostConfig.GroupAdd).toEqual([String(statSync(socketPath).gid)]);
    expect(info.HostConfig.Binds).toEqual(expect.arrayContaining([`${socketPath}:/var/run/docker.sock`, `${volume}:/data`]));
    expect(info.Config.Labels["io.infrapilot.protected"]).toBe("true");
    // Inside, the engine's socket is where the agent looks for it.
    expect((await docker(dockerHost, ["exec", container, "sh", "-c", "[ -S /var/run/docker.sock ] && echo socket"])).trim()).toBe("socket");
    // The token went through the environment of `docker`, not its command line.
    expect(run.stdout).not.toContain(TOKEN);
  }, 60_000);

  test("run again, it refuses to replace the agent that is there and leaves it running", async () => {
    const before = await containerNamed(container);
    expect(before).not.toBeNull();
    const run = await runInstaller(["/usr/bin/busybox", "sh"], [`--token=${TOKEN}`, `--image=${STUB}`, `--container=${container}`, `--volume=${volume}`], { PATH: process.env.PATH!, DOCKER_HOST: dockerHost });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`a container named ${container} already exists`));
    expect(await containerNamed(container)).toBe(before);
    expect((await docker(dockerHost, ["inspect", "-f", "{{.State.Running}}", container])).trim()).toBe("true");
  });

  test("a container that Docker creates but cannot start is taken away again", async () => {
    const name = `${RUN_ID}-broken`;
    const run = await runInstaller(["/usr/bin/dash"], [`--token=${TOKEN}`, `--image=${BROKEN}`, `--container=${name}`, `--volume=${RUN_ID}-vol2`], { PATH: process.env.PATH!, DOCKER_HOST: dockerHost });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/docker run failed/);
    expect(await containerNamed(name)).toBeNull();
    expect((await docker(dockerHost, ["volume", "ls", "-q", "--filter", `name=^${RUN_ID}-vol2$`])).trim()).toBe("");
  }, 60_000);
});
