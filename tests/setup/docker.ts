// A real Docker engine for integration tests and benchmarks.
//
// ensureTestDocker() returns a DOCKER_HOST: the one in the environment when it
// answers, otherwise the private engine of scripts/docker-test-env.sh (started
// or reused). Containers that tests create carry TEST_LABEL=<run id> so they can
// be found and removed afterwards (removeTestContainers).
import { execFile } from "node:child_process";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { parseDockerHost } from "#agent/local/docker-host";

export const TEST_IMAGE = "infrapilot-test/busybox:latest";
export const TEST_LABEL = "infrapilot.test";

const SCRIPT = fileURLToPath(new URL("../../scripts/docker-test-env.sh", import.meta.url));
const HOW_TO_START =
  "Start the test Docker engine with `scripts/docker-test-env.sh start` (needs `apt-get install -y docker.io busybox-static`), " +
  "then `eval \"$(scripts/docker-test-env.sh env)\"`, or set DOCKER_HOST to a reachable engine that has the image " +
  TEST_IMAGE;

export interface TestDocker {
  dockerHost: string;
  /** Stops the engine when this call started it; an engine that was already running is left alone. */
  stop(): Promise<void>;
}

export async function ensureTestDocker(): Promise<string> {
  return (await startTestDocker()).dockerHost;
}

/** ensureTestDocker, remembering whether this process started the private engine. */
export async function startTestDocker(): Promise<TestDocker> {
  const running = await run("bash", [SCRIPT, "status"], 30_000).then(
    () => true,
    () => false,
  );
  const dockerHost = await reuseOrStartEngine();
  const startedHere = !running && dockerHost === privateDockerHost();
  return {
    dockerHost,
    stop: async () => {
      if (startedHere) await run("bash", [SCRIPT, "stop"], 60_000);
    },
  };
}

function privateDockerHost(): string {
  return `unix://${process.env.IP_DOCKER_DIR || "/tmp/ip-docker"}/docker.sock`;
}

async function reuseOrStartEngine(): Promise<string> {
  const fromEnv = process.env.DOCKER_HOST?.trim();
  if (fromEnv && (await engineAnswers(fromEnv))) {
    if ((await engineStatus(fromEnv, `/images/${encodeURIComponent(TEST_IMAGE)}/json`)) !== 200) {
      await run("bash", [SCRIPT, "image"], 120_000, { ...process.env, DOCKER_HOST: fromEnv }).catch((error: Error) => {
        throw new Error(`Cannot import ${TEST_IMAGE} into DOCKER_HOST=${fromEnv}: ${error.message}\n${HOW_TO_START}`);
      });
    }
    return fromEnv;
  }
  let output: string;
  try {
    output = await run("bash", [SCRIPT, "start"], 180_000);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`No Docker engine for tests${fromEnv ? ` (DOCKER_HOST=${fromEnv} does not answer)` : ""}: ${reason}\n${HOW_TO_START}`);
  }
  const dockerHost = /^DOCKER_HOST=(\S+)$/m.exec(output)?.[1];
  if (!dockerHost || !(await engineAnswers(dockerHost))) {
    throw new Error(`scripts/docker-test-env.sh started but no engine answers.\n${HOW_TO_START}`);
  }
  process.env.DOCKER_HOST = dockerHost;
  return dockerHost;
}

/** GET /_ping on the engine, without dockerode, so setup depends on nothing else. */
export async function engineAnswers(dockerHost: string, timeoutMs = 3_000): Promise<boolean> {
  return (await engineStatus(dockerHost, "/_ping", timeoutMs)) === 200;
}

async function engineStatus(dockerHost: string, path: string, timeoutMs = 3_000): Promise<number | null> {
  let address;
  try {
    address = parseDockerHost(dockerHost);
  } catch {
    return null;
  }
  // A TLS engine needs client certificates: assume it answers and let the tests tell.
  if (address.kind === "tcp" && address.tls) return 200;
  const target = address.kind === "unix" ? { socketPath: address.socketPath } : { host: address.host, port: address.port };
  return new Promise((resolve) => {
    const req = request({ ...target, path, method: "GET", timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(null));
    req.end();
  });
}

/** Runs the docker CLI against `dockerHost`; resolves with stdout. */
export function docker(dockerHost: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return run("docker", args, timeoutMs, { ...process.env, DOCKER_HOST: dockerHost });
}

/** Removes every container labelled with this run id (or with the test label at all). */
export async function removeTestContainers(dockerHost: string, runId?: string): Promise<void> {
  const filter = runId ? `label=${TEST_LABEL}=${runId}` : `label=${TEST_LABEL}`;
  const ids = (await docker(dockerHost, ["ps", "-aq", "--filter", filter])).split(/\s+/).filter(Boolean);
  if (ids.length > 0) await docker(dockerHost, ["rm", "-f", "-v", ...ids], 120_000);
}

function run(command: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const detail = `${stderr}`.trim() || error.message;
        reject(new Error(`${command} ${args.join(" ")} failed: ${detail}`));
      } else {
        resolve(`${stdout}`);
      }
    });
  });
}
