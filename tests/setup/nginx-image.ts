// An nginx image for the container-mode tests. No registry here: scripts/docker-test-env.sh
// builds it from this machine's nginx binary, its shared libraries and a static busybox.
import { fileURLToPath } from "node:url";
import { docker } from "./docker";

export const NGINX_TEST_IMAGE = "infrapilot-test/nginx:latest";
const SCRIPT = fileURLToPath(new URL("../../scripts/docker-test-env.sh", import.meta.url));

/** Imports the image into `dockerHost` when it is missing; fails saying how to get it. */
export async function ensureNginxTestImage(dockerHost: string): Promise<string> {
  const present = await docker(dockerHost, ["image", "inspect", "--format", "{{.Id}}", NGINX_TEST_IMAGE]).then(
    () => true,
    () => false,
  );
  if (present) return NGINX_TEST_IMAGE;
  try {
    await docker(dockerHost, ["version", "--format", "{{.Server.Version}}"], 15_000);
  } catch (error) {
    throw new Error(`No Docker engine at ${dockerHost} for the nginx container tests: ${(error as Error).message}\nStart it with \`scripts/docker-test-env.sh start\`.`);
  }
  try {
    const { execFile } = await import("node:child_process");
    await new Promise<void>((resolve, reject) =>
      execFile("bash", [SCRIPT, "nginx-image"], { env: { ...process.env, DOCKER_HOST: dockerHost }, timeout: 180_000 }, (error, _stdout, stderr) =>
        error ? reject(new Error(`${stderr}`.trim() || error.message)) : resolve(),
      ),
    );
  } catch (error) {
    throw new Error(
      `Cannot build ${NGINX_TEST_IMAGE}: ${(error as Error).message}\n` +
        "It is built from /usr/sbin/nginx and a static busybox: `apt-get install -y nginx-light busybox-static`, then " +
        "`DOCKER_HOST=<engine> scripts/docker-test-env.sh nginx-image` (or `scripts/docker-test-env.sh start` for the private engine).",
    );
  }
  return NGINX_TEST_IMAGE;
}
