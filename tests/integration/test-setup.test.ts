// A newcomer's first `npm install && npm test`: the prerequisites are installed or named in one
// message, and a test set-up that fails part-way leaves no service running behind it.
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PREREQS = join(ROOT, "scripts/test-prereqs.sh");
const scratch = mkdtempSync(join(tmpdir(), "infrapilot-test-setup-"));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function runFile(file: string, args: string[], env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(file, args, { env: env as NodeJS.ProcessEnv, cwd: ROOT, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout: `${stdout}`, stderr: `${stderr}` });
    });
  });
}

/** Processes whose command line mentions `fragment` (read from /proc, no ps needed). */
function processesMentioning(fragment: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(fragment)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

describe("scripts/test-prereqs.sh, run first by npm test", () => {
  test("stops at once with the exact apt-get command when a package is missing and it may not install", async () => {
    // As an unprivileged user (nobody) it cannot install, so it must say how.
    const outcome = await runFile(
      "setpriv",
      ["--reuid=65534", "--regid=65534", "--clear-groups", "bash", PREREQS],
      { PATH: process.env.PATH, INFRAPILOT_TEST_REQUIREMENTS: "infrapilot-missing-package:/nonexistent/bin/tool openssl:openssl" },
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain("The tests need packages that are missing: infrapilot-missing-package.");
    expect(outcome.stderr).toContain("Install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends infrapilot-missing-package");
    // openssl is there: it is not asked for.
    expect(outcome.stderr).not.toContain("openssl");
  });

  test("does nothing and says nothing when every package the suite needs is installed", async () => {
    const outcome = await runFile("bash", [PREREQS], { PATH: process.env.PATH });
    expect(outcome).toEqual({ code: 0, stdout: "", stderr: "" });
  });
});

describe("the test run's global set-up", () => {
  test("stops the PostgreSQL it already started when the Docker engine cannot be had", async () => {
    // A private TMPDIR marks this set-up's PostgreSQL (its data directory lives under it).
    const privateTmp = join(scratch, "tmp");
    mkdirSync(privateTmp);
    chmodSync(privateTmp, 0o755);
    const program = `
      const { default: setup } = await import(${JSON.stringify(join(ROOT, "tests/setup/global-setup.ts"))});
      try {
        await setup({ provide() {} });
        console.log("SETUP-SUCCEEDED");
      } catch (error) {
        console.log("SETUP-FAILED: " + error.message);
      }
    `;
    const programFile = join(scratch, "run-setup.mts");
    writeFileSync(programFile, program);
    const outcome = await runFile(join(ROOT, "node_modules/.bin/tsx"), ["--tsconfig", join(ROOT, "tsconfig.json"), programFile], {
      // No dockerd on PATH and no engine at DOCKER_HOST: the engine cannot be started.
      PATH: "/usr/bin:/bin",
      HOME: process.env.HOME,
      TMPDIR: privateTmp,
      DOCKER_HOST: `unix://${join(scratch, "no-engine.sock")}`,
      IP_DOCKER_DIR: join(scratch, "docker"),
    }, 40_000);
    expect(outcome.stdout, outcome.stderr).toContain("SETUP-FAILED: No Docker engine for tests");
    expect(outcome.stdout).toContain("apt-get install -y docker.io busybox-static");
    expect(processesMentioning(privateTmp)).toEqual([]);
  });
});
