import { defineConfig } from "vitest/config";
export default defineConfig({ test: { include: ["tests/e2e/tmpcheck/*.test.ts"],  setupFiles: ["tests/setup/fail-on-console-error.ts"], pool: "forks" } });
