// Starts what every test file shares: a PostgreSQL server (and, for agent tests, a Docker engine)
// and checks that the production build exists for the tests that spawn the real server.
import type { TestProject } from "vitest/node";
import { existsSync } from "node:fs";
import { startTestPostgres } from "./postgres";
import { ensureTestDocker } from "./docker";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
    /** DOCKER_HOST of the test engine (scripts/docker-test-env.sh or the environment's). */
    dockerHost: string;
  }
}

export default async function setup(project: TestProject) {
  if (!existsSync(new URL("../../build/server/index.js", import.meta.url))) {
    throw new Error("No production build: run `npm run build` first (npm test does it for you).");
  }
  const postgres = await startTestPostgres();
  project.provide("postgresUrl", postgres.url);
  project.provide("dockerHost", await ensureTestDocker());
  return async () => {
    await postgres.stop();
  };
}
