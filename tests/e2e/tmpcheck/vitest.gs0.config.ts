import { defineConfig } from "vitest/config";
export default defineConfig({ test: { include: ["tests/e2e/tmpcheck/*.test.ts"], globalSetup: ["tests/e2e/tmpcheck/gs0.ts"], pool: "forks" } });
