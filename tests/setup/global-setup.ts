// Starts what every test file shares: a PostgreSQL server (and, for agent tests, a Docker engine)
// and checks that the production build exists for the tests that spawn the real server.
// Whatever it started is stopped on every way out: a normal end, a set-up that fails part-way
// (vitest runs no teardown then), and an interrupted run.
import type { TestProject } from "vitest/node";
import { existsSync } from "node:fs";
import { startTestPostgres } from "./postgres";
import { startTestDocker } from "./docker";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
    /** DOCKER_HOST of the test engine (scripts/docker-test-env.sh or the environment's). */
    dockerHost: string;
  }
}

export default async function setup(project: Pick<TestProject, "provide">) {
  if (!existsSync(new URL("../../build/server/index.js", import.meta.url))) {
    throw new Error("No production build: run `npm run build` first (npm test does it for you).");
  }
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void stopAll().finally(() => process.kill(process.pid, signal));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const teardown = async () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await stopAll();
  };
  try {
    const postgres = await startTestPostgres();
    stops.push(() => postgres.stop());
    project.provide("postgresUrl", postgres.url);
    const docker = await startTestDocker();
    stops.push(() => docker.stop());
    project.provide("dockerHost", docker.dockerHost);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
